"""Task state ``ProofsOverdue``: the documents did not arrive by the deadline."""

from chalicelib.services.workflow.review import proofs_overdue
from functions._runtime import task


@task
def handler(event, context):
    return proofs_overdue(event)
