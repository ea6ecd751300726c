"""The registration workflow's steps (statemachines/registration.asl.json: one function per Task
state, called by the handler in functions/) and the staff decisions that answer its waiting
states (proofs, review tasks with escalation), plus the result messages it sends."""
