"""Pieces several use-case packages need and that decide nothing about a case: client idempotency
keys, short-lived citizen tokens, SMS and captcha codes, the outbox of side effects, statistics
counters, the working-day calendar read from the operator's data."""
