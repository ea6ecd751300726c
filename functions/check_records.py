"""Task state ``CheckRecords``."""

from chalicelib.services.checks import check_records
from functions._runtime import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    logger.append_keys(case_id=event["case_id"])
    return check_records(event["case_id"])
