"""The one exception type for unusable data folders."""

from __future__ import annotations


class DataError(ValueError):
    """A data folder cannot be used; the message is one line naming the folder and the reason."""
