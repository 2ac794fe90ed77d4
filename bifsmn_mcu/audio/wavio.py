"""Read and write 16-bit PCM mono WAV files with the stdlib ``wave`` module."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .errors import AudioError

_CONVERT_HINT = "convert it with e.g. `sox IN.wav -b 16 -c 1 OUT.wav`"
_PCM16_ONLY = "bifsmn-mcu takes 16-bit PCM only"


def _channels_error(p: Path, channels: int) -> AudioError:
    """Stereo is refused, not downmixed: which channel holds the speech is the user's call."""
    return AudioError(
        f"{p}: {channels} channels; bifsmn-mcu takes mono 16-bit WAV only "
        f"(it does not guess which channel holds the speech): {_CONVERT_HINT}"
    )


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM mono WAV file -> (int16 samples, sample rate).

    Raises :class:`AudioError` (one line) for a missing file, a non-WAV file, an empty
    or truncated WAV, more than one channel, or a sample width other than 16 bits.
    """
    p = Path(path)
    if not p.exists():
        raise AudioError(f"{p}: no such file")
    if p.is_dir():
        raise AudioError(f"{p}: is a folder, expected a WAV file")
    size = p.stat().st_size
    if size == 0:
        raise AudioError(f"{p}: empty file (0 bytes), not a WAV file")
    with open(p, "rb") as fh:
        head = fh.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise AudioError(f"{p}: not a WAV file (no RIFF/WAVE header)")
    try:
        with wave.open(str(p), "rb") as w:
            channels, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            if channels != 1:
                raise _channels_error(p, channels)
            if width != 2:
                raise AudioError(f"{p}: {8 * width}-bit samples; {_PCM16_ONLY}: {_CONVERT_HINT}")
            if rate <= 0:
                raise AudioError(f"{p}: invalid sample rate {rate}")
            data = w.readframes(n)
    except AudioError:
        raise
    except wave.Error as e:  # e.g. "unknown format: 3" (float) or 65534 (extensible, before 3.12)
        return _read_other(p, e)
    except EOFError:
        raise AudioError(f"{p}: truncated WAV (file ends inside the header)") from None
    if n == 0:
        raise AudioError(f"{p}: empty WAV (no samples)")
    if len(data) < 2 * n:
        raise AudioError(f"{p}: truncated WAV (header says {n} samples, file holds {len(data) // 2})")
    return np.frombuffer(data, dtype="<i2").astype(np.int16), rate


def _read_other(p: Path, err: Exception) -> tuple[np.ndarray, int]:
    """Formats the stdlib ``wave`` module rejects: WAVE_FORMAT_EXTENSIBLE 16-bit mono is read
    (scipy.io.wavfile); float or other encodings are named in the error."""
    from scipy.io import wavfile

    try:
        rate, x = wavfile.read(p, mmap=False)
    except Exception as e2:  # noqa: BLE001 - any parser failure is a corrupt file here
        raise AudioError(f"{p}: unsupported or corrupt WAV ({err}; {e2}); {_CONVERT_HINT}") from None
    if x.ndim != 1:
        raise _channels_error(p, x.shape[1])
    if x.dtype != np.int16:
        kind = "float" if x.dtype.kind == "f" else "integer"
        raise AudioError(f"{p}: {8 * x.dtype.itemsize}-bit {kind} samples; {_PCM16_ONLY}: {_CONVERT_HINT}")
    if len(x) == 0:
        raise AudioError(f"{p}: empty WAV (no samples)")
    return x.astype(np.int16), int(rate)


def write_wav(path: str | Path, pcm: np.ndarray, sample_rate: int = 16000) -> Path:
    """Write int16 mono samples as a 16-bit PCM WAV; parent folders are created."""
    pcm = np.asarray(pcm)
    if pcm.dtype != np.int16:
        raise TypeError(f"write_wav takes int16 samples, got {pcm.dtype}")
    if pcm.ndim != 1:
        raise ValueError(f"write_wav takes 1-D mono samples, got shape {pcm.shape}")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(p), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(pcm.astype("<i2").tobytes())
    return p
