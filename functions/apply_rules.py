"""Task state ``ApplyRules``: record the checks, apply the domain rules, choose the route."""

from chalicelib.services.workflow.checks import apply_rules
from functions._runtime import task


@task
def handler(event, context):
    return apply_rules(event)
