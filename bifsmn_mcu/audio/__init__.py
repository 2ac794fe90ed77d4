"""Audio I/O: 16-bit mono WAV in and out, resampling and fitting to the front end's 1 s clip.

Policy (one place, used by every loader and command):

- Only 16-bit PCM mono WAV is accepted. Stereo, 8-bit, 24/32-bit or float WAV, non-WAV,
  empty and truncated files raise :class:`AudioError` with a one-line reason.
  Stereo is refused rather than silently downmixed: which channel holds the speech is the
  user's call (``sox in.wav -c 1 out.wav`` downmixes).
- Other sample rates are resampled with ``scipy.signal.resample_poly`` and a
  :class:`ResampleNotice` warning says so.
- Clips shorter than 1 s are zero-padded at the end (Speech Commands practice); longer
  clips keep their loudest 1 s window, so the word stays in the clip.
"""

from .clip import ResampleNotice, fit_length, load_clip, resample
from .errors import AudioError
from .wavio import read_wav, write_wav

__all__ = ["AudioError", "ResampleNotice", "fit_length", "load_clip", "read_wav", "resample", "write_wav"]
