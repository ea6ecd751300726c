"""Task state ``AwaitReview`` (waitForTaskToken): store the token, notify the responsible office."""

from chalicelib.services.workflow.review import await_review
from functions._runtime import logger, task


@task
def handler(event, context):
    logger.append_keys(stage=event["review"]["stage"], level=event["review"]["level"])
    return await_review(event["case_id"], event["task_token"], event["review"])
