"""Persistence: SQLAlchemy models, the engine and session factory, repositories, migrations.

Nothing in this package imports ``telegram``: services and storage are channel-free.
"""
