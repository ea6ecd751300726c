"""Task state ``HandBack`` (the Waiting workflow, after ``AwaitReview``): the staff decided. Starts
the Express workflow at its ``Route`` with the decided state, and the Standard execution ends:
each Standard transition is billed, the Express steps are not (issue 18: the manual path's Route,
UpdateRegistry, IssueCertificate and Notify after the decision were four of its six transitions;
now Route, AwaitReview, HandBack). A decision that waits again (another stage, proofs) is handed
over by the Express workflow to a new Waiting execution, as a new case is."""

from chalicelib.adapters import workflow
from functions._runtime import logger, task


@task
def handler(event, context):
    # A retried HandBack (Standard tasks run at least once) meets its first start: moto answers
    # ExecutionAlreadyExists; AWS runs the Express steps again, each of them idempotent
    # (IssueCertificate reuses the case version's certificate, Notify's messages have fixed ids).
    try:
        workflow.resume_registration(event["execution_name"], event["state"])
    except workflow.ExecutionAlreadyStarted:
        logger.info("already handed back", extra={"execution_name": event["execution_name"]})
    return {"handed_back": event["execution_name"]}
