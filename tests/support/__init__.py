"""Importable test helpers: the bureau builder, the vector loader, the re-signing forger.

`tests/conftest.py` keeps only fixtures; they call these functions and assert each step.
"""
