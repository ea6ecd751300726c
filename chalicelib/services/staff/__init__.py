"""Staff use cases outside the workflow: sign-in (with the second factor), account administration
by the level above, on-site registration. Entered from the staff routes of the API."""
