"""AWS Budgets per environment and for the account."""
