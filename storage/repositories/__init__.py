"""Repositories: queries over one aggregate each. They take a session and never commit."""
