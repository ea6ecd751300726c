"""Task state ``AutoCompare`` (parallel branch): two-way comparison with the population registry."""

from chalicelib.services.workflow.checks import auto_compare
from functions._runtime import task


@task
def handler(event, context):
    return auto_compare(event["case_id"])
