"""Example jobs for `jobgate up`; `python` steps may call functions under this package."""
