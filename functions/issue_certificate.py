"""Task state ``IssueCertificate``."""

from chalicelib.services.certificates.issuance import issue_certificate
from functions._runtime import task


@task
def handler(event, context):
    return issue_certificate(event["case_id"])
