"""Through the CLI: bad audio/data input -> one clear line, non-zero exit, no traceback."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from click.testing import CliRunner

from bifsmn_mcu.audio import load_clip, write_wav
from bifsmn_mcu.cli import main
from bifsmn_mcu.frontend import features
from bifsmn_mcu.resources import samples_dir


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _one_error_line(r, needle: str) -> None:
    assert r.exit_code != 0
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], r.output


def _wav(path, channels, width, rate, frames):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(b"ID3\x03\x00" + bytes(200)), "not a WAV file"),
        (lambda p: _wav(p, 1, 2, 16000, b""), "empty WAV"),
        (lambda p: p.write_bytes(_wav(p, 1, 2, 16000, bytes(32000)).read_bytes()[:5000]), "truncated WAV"),
        (lambda p: _wav(p, 2, 2, 16000, bytes(64000)), "2 channels"),
        (lambda p: _wav(p, 1, 1, 16000, bytes(16000)), "8-bit"),
        (lambda p: None, "no such file"),
    ],
)
def test_features_bad_wav(tmp_path, make, needle):
    p = tmp_path / "in.wav"
    make(p)
    _one_error_line(_run("features", str(p)), needle)


def test_features_other_rate_is_resampled_with_notice(tmp_path):
    t = np.arange(22050) / 22050
    write_wav(tmp_path / "a.wav", (np.sin(2 * np.pi * 300 * t) * 9000).astype(np.int16), 22050)
    r = CliRunner().invoke(main, ["features", str(tmp_path / "a.wav")])
    assert r.exit_code == 0, r.output
    assert "22050 Hz resampled to 16000 Hz" in r.stderr
    assert "32 mels x 32 frames" in r.stdout


def test_features_out_print_plot(tmp_path):
    wav = sorted((samples_dir() / "yes").glob("*.wav"))[0]
    npy, png = str(tmp_path / "f.npy"), str(tmp_path / "f.png")
    r = _run("features", str(wav), "--out", npy, "--plot", png, "--print")
    assert r.exit_code == 0, r.output
    want = features(load_clip(wav))
    got = np.load(tmp_path / "f.npy")
    assert got.dtype == np.int16 and got.shape == (32, 32)
    np.testing.assert_array_equal(got, want)
    assert f"min {want.min()} max {want.max()}" in r.output and str(want[0, 0]) in r.output
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_data_info_missing_and_empty_folders(tmp_path):
    _one_error_line(_run("data", "info", str(tmp_path / "missing")), "no such folder")
    (tmp_path / "empty" / "yes").mkdir(parents=True)
    _one_error_line(_run("data", "info", str(tmp_path / "empty")), "no label folders")


def test_data_info_on_shipped_samples():
    r = _run("data", "info", str(samples_dir()))
    assert r.exit_code == 0, r.output
    assert "12 labels, 24 clips" in r.output
