"""Task state ``IssueBirthCertificate`` of the BirthCertificate machine (issue 16; 003 一(一)3, 四)."""

from chalicelib.services.births.issuance import issue_birth_certificate
from functions._runtime import task


@task
def handler(event, context):
    return issue_birth_certificate(event)
