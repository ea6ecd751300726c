"""Task state ``HandOver`` (the Express workflow): a person or the working-hours window must be
waited for, which an Express execution (5 minutes at most, no task tokens) cannot do. Starts the
Standard workflow with the state, under this execution's name: the Express workflow runs at least
once, and a second hand-over of the same case version finds the first one's execution."""

from chalicelib.adapters import workflow
from functions._runtime import logger, task


@task
def handler(event, context):
    # A second start with the same name and state while the first runs is answered like the first
    # (StartExecution is idempotent for Standard workflows); once it ended, or with another state
    # (a later attempt), ExecutionAlreadyExists: handed over all the same.
    try:
        workflow.start_waiting(event["execution_name"], event["state"])
    except workflow.ExecutionAlreadyStarted:
        logger.info("already handed over", extra={"execution_name": event["execution_name"]})
    return {"handed_over": event["execution_name"]}
