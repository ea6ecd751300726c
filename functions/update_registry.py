"""Task state ``UpdateRegistry``: add the form's additional children to the population registry."""

from chalicelib.services.workflow.checks import update_registry
from functions._runtime import task


@task
def handler(event, context):
    return update_registry(event["case_id"])
