"""Typed ledger values: the key state and the payloads entries carry."""
