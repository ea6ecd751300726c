"""Step Functions task handlers: one short module per task state, each calling one service."""
