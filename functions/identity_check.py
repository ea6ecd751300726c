"""Task state ``IdentityCheck`` (parallel branch): public security, inside the working-hours window.

After ``WaitForWindow`` the state input carries ``route == "wait_window"``: the check runs then,
without asking the clock again (the wait ended at the window's opening).
"""

from chalicelib.services.workflow.checks import identity_check
from functions._runtime import task


@task
def handler(event, context):
    return identity_check(event["case_id"], window_waited=event.get("route") == "wait_window")
