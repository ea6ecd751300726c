"""Task state ``Notify``."""

from chalicelib.services.notifications import notify
from functions._runtime import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    logger.append_keys(case_id=event["case_id"])
    return notify(event["case_id"])
