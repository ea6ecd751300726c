"""Task state ``RequestProofs`` (waitForTaskToken): ask the citizen for proof documents."""

from chalicelib.services.workflow.review import request_proofs
from functions._runtime import task


@task
def handler(event, context):
    return request_proofs(event["case_id"], event["task_token"], event["proofs"])
