"""The one exception type for unusable audio input."""

from __future__ import annotations


class AudioError(ValueError):
    """A WAV file cannot be used; the message is one line naming the file and the reason."""
