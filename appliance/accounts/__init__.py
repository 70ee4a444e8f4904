"""Who may use the appliance: password hashing, the one-time setup code, login limiting."""
