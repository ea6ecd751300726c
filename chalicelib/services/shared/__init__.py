"""Pieces several use-case packages need and that decide nothing about a case: client idempotency
keys, short-lived citizen tokens, SMS and captcha codes, per-client attempt budgets, the outbox of
side effects, operator alerts, statistics counters, the working-day calendar read from the
operator's data.

The bottom use-case package: it imports no other (``.importlinter``). What a sweeper or a
dead message must tell a person goes through ``alerts``, not through the workflow's notifications.
"""
