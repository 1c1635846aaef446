"""Benchmarks: each prints a table; run with ``python -m bench.<name>``."""
