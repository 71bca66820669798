"""Alembic migrations: how every database, SQLite or PostgreSQL, reaches the current schema."""
