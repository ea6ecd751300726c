"""Task state ``EscalateReview``: the review deadline passed; move the task up one level."""

from chalicelib.services.workflow.review import escalate_review
from functions._runtime import task


@task
def handler(event, context):
    return escalate_review(event)
