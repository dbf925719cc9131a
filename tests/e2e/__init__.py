"""End-to-end tests: whole commands in subprocesses, from a search to its tables and reproduction."""
