"""Use cases: load, decide (domain), save, emit."""
