"""WAV reading policy: 16-bit mono accepted, every other input one clear AudioError."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from bifsmn_mcu.audio import AudioError, ResampleNotice, fit_length, load_clip, read_wav, write_wav
from bifsmn_mcu.frontend import DEFAULT_FEATURES


def _raw_wav(path: Path, channels: int, width: int, rate: int, frames: bytes) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


def test_roundtrip(tmp_path):
    x = (np.sin(np.arange(16000) * 0.05) * 20000).astype(np.int16)
    write_wav(tmp_path / "a" / "x.wav", x, 16000)
    y, rate = read_wav(tmp_path / "a" / "x.wav")
    assert rate == 16000 and y.dtype == np.int16
    np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_text("hello, not audio\n" * 10), "not a WAV file"),
        (lambda p: _raw_wav(p, 2, 2, 16000, b"\0" * 4000), "2 channels"),
        (lambda p: _raw_wav(p, 1, 1, 16000, b"\x80" * 1000), "8-bit"),
        (lambda p: _raw_wav(p, 1, 2, 16000, b""), "empty WAV"),
        (lambda p: p.write_bytes(_raw_wav(p, 1, 2, 16000, b"\1\2" * 1000).read_bytes()[:1000]), "truncated"),
        (lambda p: p.write_bytes(_raw_wav(p, 1, 2, 16000, b"\1\2" * 1000).read_bytes()[:30]), "truncated"),
    ],
)
def test_bad_inputs_raise_one_clear_error(tmp_path, make, reason):
    p = tmp_path / "bad.wav"
    make(p)
    with pytest.raises(AudioError) as e:
        read_wav(p)
    msg = str(e.value)
    assert reason in msg and str(p) in msg and "\n" not in msg


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        read_wav(tmp_path / "nope.wav")


def test_other_rate_is_resampled_with_notice(tmp_path):
    t = np.arange(8000) / 8000
    x = (np.sin(2 * np.pi * 440 * t) * 10000).astype(np.int16)
    write_wav(tmp_path / "8k.wav", x, 8000)
    with pytest.warns(ResampleNotice, match="8000 Hz resampled to 16000 Hz"):
        y = load_clip(tmp_path / "8k.wav")
    assert y.shape == (DEFAULT_FEATURES.clip_samples,) and y.dtype == np.int16
    spec = np.abs(np.fft.rfft(y.astype(float)))
    assert abs(np.argmax(spec) * 16000 / len(y) - 440) < 2  # same tone after resampling
    assert abs(np.abs(y).max() - 10000) < 300


def test_fit_length_pads_at_end_and_keeps_loudest_window():
    short = np.arange(1, 101, dtype=np.int16)
    out = fit_length(short, 160)
    np.testing.assert_array_equal(out[:100], short)
    assert not out[100:].any()
    long = np.zeros(500, dtype=np.int16)
    long[300:350] = 1000
    out = fit_length(long, 100)
    assert len(out) == 100 and (out == 1000).sum() == 50


def test_float_wav_is_named_in_the_error(tmp_path):
    from scipy.io import wavfile

    wavfile.write(tmp_path / "f.wav", 16000, np.zeros(1600, dtype=np.float32))
    with pytest.raises(AudioError, match="32-bit float samples; bifsmn-mcu takes 16-bit PCM only"):
        read_wav(tmp_path / "f.wav")


def test_extensible_16bit_mono_is_read(tmp_path):
    import struct

    x = (np.arange(800) * 37 % 2000 - 1000).astype("<i2")
    guid_pcm = bytes.fromhex("0100000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, 16000, 32000, 2, 16, 22, 16, 4) + guid_pcm
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", x.nbytes) + x.tobytes()
    (tmp_path / "ext.wav").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    y, rate = read_wav(tmp_path / "ext.wav")
    assert rate == 16000
    np.testing.assert_array_equal(y, x)
