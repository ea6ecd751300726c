"""Task state ``HandBack`` (the Waiting workflow, after ``AwaitReview``): the staff decided, and
what follows -- updating the registry, issuing, notifying -- waits for nobody. Starts the Express
workflow at its ``Route`` with the decided state, and the Standard execution ends: each Standard
transition is billed, the Express steps are not (issue 18: the manual path's IssueCertificate,
Notify and the Route before them were three of its six transitions)."""

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
