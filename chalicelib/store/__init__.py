"""Storage: PynamoDB models and repository functions, one module per table."""
