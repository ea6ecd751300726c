"""Task state ``Notify``."""

from chalicelib.services.workflow.notifications import notify
from functions._runtime import task


@task
def handler(event, context):
    return notify(event["case_id"])
