"""Alembic migrations of the service database (env.py, versions/)."""
