"""Stopping workers: Redis outages, shutdowns, supervision under `jobgate up`, escaped step processes (issue 12)."""
