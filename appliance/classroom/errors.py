"""Errors the domain names, so every layer above can raise and map them without importing a service."""
from __future__ import annotations


class NotFound(LookupError):
    """No such row, or not this user's: callers answer both the same way (404), so ids leak nothing."""
