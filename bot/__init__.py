"""Desmigratif chatbot: the application package (factory, settings, services, CLI)."""
