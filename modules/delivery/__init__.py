"""CI delivery access: the GitHub OIDC provider and each environment's plan and apply roles."""
