"""The embedded local AWS stack: moto server + our resources + chalice local, in one process."""
