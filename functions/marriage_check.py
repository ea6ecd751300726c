"""Task state ``MarriageCheck`` (parallel branch): civil affairs."""

from chalicelib.services.workflow.checks import marriage_check
from functions._runtime import task


@task
def handler(event, context):
    return marriage_check(event["case_id"])
