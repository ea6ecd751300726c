"""Use cases: load, decide (domain), save, emit.

One package per group of use cases; dependencies run one way, top to bottom (``.importlinter``
checks them, ``make test`` runs it):

- ``staff/``: what staff do outside the workflow — sign-in, accounts, on-site entry. On-site entry
  is the citizen's registration typed in at the counter (``citizen.registration.submit``), so
  staff sits above citizen.
- ``citizen/``: what a citizen does online — submit, query, modify or supplement, upload proofs,
  rate. A complete set of proofs resumes the workflow (``workflow.review.proofs_received``) and a
  modification revokes the old certificate (``certificates.issuance.revoke``): citizen sits above
  both.
- ``workflow/``: the steps of the registration workflow (statemachines/) and the staff decisions
  that answer its waiting states.
- ``certificates/``: issuing, revoking and verifying the 生育服务证. Workflow and certificates are
  independent of each other: the IssueCertificate task (functions/) calls certificates itself.
- ``shared/``: pieces several use cases need and that decide nothing about a case — idempotency,
  citizen tokens, SMS and captcha codes, attempt budgets, the outbox, operator alerts, statistics
  counters, the working-day calendar. They import no other use-case package.

The api layer (``chalicelib/api``) and the task handlers (``functions/``) call these; these call the
domain (pure rules), the store (DynamoDB) and the adapters (other systems). No module imports
another's private (``_underscore``) names, and there is no import cycle (tests/unit/test_architecture.py).
"""
