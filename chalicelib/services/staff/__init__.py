"""Staff use cases outside the workflow: sign-in (with the second factor), account administration
by the level above, on-site registration. Entered from the staff routes of the API.

The top use-case package: on-site registration is the citizen's ``registration.submit`` entered at
the counter, so staff may use the citizen package, never the other way round.
"""
