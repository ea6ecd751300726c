"""Task state ``IssueCertificate``."""

from chalicelib.services.certificates import issue_certificate
from functions._runtime import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    logger.append_keys(case_id=event["case_id"])
    return issue_certificate(event["case_id"])
