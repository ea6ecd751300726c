"""The registration workflow's steps (statemachines/registration.asl.json: one function per Task
state, called by the handler in functions/) and the staff decisions that answer its waiting
states (proofs, review tasks with escalation), plus the result messages it sends.

Below the citizen use cases (an upload that completes the requested proofs resumes the workflow
through ``review.proofs_received``), independent of certificates, above shared. Inside: ``checks``
(the automated steps, VerifyRecords) hands over to ``review``; ``notifications`` stands
apart.
"""
