"""Test helpers shared by the suite (fixtures live in tests/conftest.py)."""
