"""What every task handler shares: one structured logger per function."""

from aws_lambda_powertools import Logger

logger = Logger(service="birthreg")
