"""Task state ``RecordFailure``: mark the case "needs attention" and alert the operators."""

from chalicelib.services.workflow.notifications import record_failure
from functions._runtime import task


@task
def handler(event, context):
    return record_failure(event)
