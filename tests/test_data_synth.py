"""Synthetic corpus: espeak-ng/flite words in a folder-per-label tree the loader reads."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner
from conftest import require_tool

from bifsmn_mcu.audio import read_wav
from bifsmn_mcu.cli import main
from bifsmn_mcu.data import SILENCE, UNKNOWN, class_counts, load_folder, split_by_speaker
from bifsmn_mcu.frontend import features


def _synth(out, *extra):
    return CliRunner().invoke(
        main, ["data", "synth", "--out", str(out), "--per-word", "2", "--words", "yes,go,bed", *extra]
    )


def test_synth_cli_makes_a_readable_reproducible_corpus(tmp_path):
    require_tool("espeak-ng")
    require_tool("flite")
    r = _synth(tmp_path / "a", "--seed", "7", "--jobs", "2")
    assert r.exit_code == 0, r.output
    assert "clips/s" in r.output
    clips = load_folder(tmp_path / "a")
    assert class_counts(clips) == {UNKNOWN: 1, SILENCE: 2, "go": 2, "yes": 2}
    for c in clips:
        pcm, rate = read_wav(c.path)
        assert rate == 16000 and len(pcm) == 16000
    words = [c for c in clips if c.label not in (SILENCE,)]
    for c in words:  # a spoken word is well above its noise bed somewhere in the clip
        f = features(c.load())
        assert f.max() - np.median(f) > 1000
    assert all("_nohash_" in c.path.name for c in words)
    train, dev = split_by_speaker(clips, 0.5)
    assert not {c.speaker for c in train} & {c.speaker for c in dev}
    r2 = _synth(tmp_path / "b", "--seed", "7", "--jobs", "1")
    assert r2.exit_code == 0, r2.output
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.wav"))
    b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.wav"))
    assert a == b
    assert all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in a)
    r3 = _synth(tmp_path / "c", "--seed", "8")
    assert r3.exit_code == 0
    c_files = sorted(p.relative_to(tmp_path / "c") for p in (tmp_path / "c").rglob("*.wav"))
    pa, pc = tmp_path / "a", tmp_path / "c"
    same = c_files == a and all((pa / p).read_bytes() == (pc / p).read_bytes() for p in a)
    assert not same


def test_synth_rejects_unknown_words(tmp_path):
    r = CliRunner().invoke(main, ["data", "synth", "--out", str(tmp_path), "--words", "yes,blorp"])
    assert r.exit_code != 0 and "blorp" in r.output and "Traceback" not in r.output
