"""Task state ``VerifyRecords``: public security, civil affairs and the population registry at once,
then the domain rules and the route (one invocation for the four steps, issue 18).

After ``WaitForWindow`` the state input carries ``route == "wait_window"``: the identity check runs
then, without asking the clock again (the wait ended at the window's opening).
"""

from chalicelib.services.workflow.checks import verify_records
from functions._runtime import task


@task
def handler(event, context):
    return verify_records(event)
