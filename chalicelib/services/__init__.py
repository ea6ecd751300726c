"""Use cases: load, decide (domain), save, emit.

One package per group of use cases; dependencies run one way (``.importlinter`` checks them):

- ``citizen/``: what a citizen does online — submit, query, modify or supplement, upload proofs, rate.
- ``staff/``: what staff do outside the workflow — sign-in, accounts, on-site entry.
- ``workflow/``: the steps of the registration workflow (statemachines/) and the staff decisions that
  answer its waiting states.
- ``certificates/``: issuing, revoking and verifying the 生育服务证.
- ``shared/``: pieces several use cases need — idempotency, citizen tokens, SMS and captcha codes,
  the outbox, statistics counters, the working-day calendar.

The api layer (``chalicelib/api``) and the task handlers (``functions/``) call these; these call the
domain (pure rules), the store (DynamoDB) and the adapters (other systems).
"""
