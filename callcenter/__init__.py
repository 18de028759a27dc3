"""The service that runs a contact center."""
