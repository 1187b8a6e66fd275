"""Append-only, hash-chained audit log of state changes and reads of personal data."""
