"""Task state ``AwaitReview`` (waitForTaskToken): store the token, notify the office."""

from chalicelib.services.review import await_review
from functions._runtime import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    logger.append_keys(case_id=event["case_id"], stage=event["stage"])
    return await_review(event["case_id"], event["stage"], event["task_token"])
