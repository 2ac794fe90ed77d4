"""Loaders on trees built here, and on the shared data when present."""

from __future__ import annotations

import numpy as np
import pytest

from bifsmn_mcu.audio import write_wav
from bifsmn_mcu.data import (
    LABELS,
    SILENCE,
    UNKNOWN,
    DataError,
    class_counts,
    features_for,
    folder_labels,
    load_folder,
    load_fsdd,
    load_speech_commands,
    load_speech_part,
    split_speech_part,
)
from bifsmn_mcu.frontend import features


def _tone(seed: int, n: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(n) * 1000).astype(np.int16)


def _speech_commands_tree(root, words=("yes", "no", "bed", "marvin"), speakers=("aa11", "bb22", "cc33")):
    for wi, w in enumerate(words):
        for si, s in enumerate(speakers):
            for k in range(2):
                write_wav(root / w / f"{s}_nohash_{k}.wav", _tone(100 * wi + 10 * si + k))
    (root / "validation_list.txt").write_text("".join(f"{w}/bb22_nohash_0.wav\n" for w in words))
    test = "".join(f"{w}/cc33_nohash_{k}.wav\n" for w in words for k in (0, 1))
    (root / "testing_list.txt").write_text(test)
    write_wav(root / "_background_noise_" / "white.wav", _tone(7, 48000))
    (root / "_background_noise_" / "README.md").write_text("noise")


def test_speech_commands_layout(tmp_path):
    _speech_commands_tree(tmp_path)
    train = load_speech_commands(tmp_path, "train")
    val = load_speech_commands(tmp_path, "validation")
    test = load_speech_commands(tmp_path, "test")
    words = [c for c in train if c.label != SILENCE]
    assert len(words) == 4 * 3 * 2 - 4 - 8 and len([c for c in val if c.label != SILENCE]) == 4
    assert len([c for c in test if c.label != SILENCE]) == 8
    assert {c.label for c in train} == {"yes", "no", UNKNOWN, SILENCE}
    assert class_counts(train)[SILENCE] == int(np.ceil(0.1 * len(words)))
    paths = [{c.path for c in s if c.label != SILENCE} for s in (train, val, test)]
    assert not (paths[0] & paths[1]) and not (paths[0] & paths[2]) and not (paths[1] & paths[2])
    sil = [c for c in train if c.label == SILENCE]
    pcm = sil[0].load()
    assert pcm.shape == (16000,) and pcm.dtype == np.int16
    assert load_speech_commands(tmp_path, "train") == train  # seeded: same silence cuts


def test_speech_commands_unknown_fraction(tmp_path):
    _speech_commands_tree(tmp_path)
    train = load_speech_commands(tmp_path, "train", unknown_fraction=0.5)
    counts = class_counts(train)
    assert counts[UNKNOWN] == int(np.ceil(0.5 * (counts["yes"] + counts["no"])))


def test_speech_commands_missing_lists(tmp_path):
    write_wav(tmp_path / "yes" / "aa_nohash_0.wav", _tone(0))
    with pytest.raises(DataError, match="validation_list.txt"):
        load_speech_commands(tmp_path)


def test_load_folder_and_errors(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        load_folder(tmp_path / "missing")
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(DataError, match="no label folders"):
        load_folder(tmp_path / "empty")
    for label in ("zeta", "alpha", UNKNOWN):
        write_wav(tmp_path / "t" / label / "spk1_nohash_0.wav", _tone(1))
        write_wav(tmp_path / "t" / label / "free.wav", _tone(2))
    clips = load_folder(tmp_path / "t")
    assert folder_labels(tmp_path / "t") == [UNKNOWN, "alpha", "zeta"]
    assert [c.label for c in clips][:2] == [UNKNOWN, UNKNOWN]
    assert {c.speaker for c in clips} == {"spk1", f"{UNKNOWN}/free", "alpha/free", "zeta/free"}


def test_features_for_matches_reference_and_caches(tmp_path):
    for i in range(5):
        write_wav(tmp_path / "d" / "yes" / f"s{i}_nohash_0.wav", _tone(i, 12000 + 2000 * i))
    clips = load_folder(tmp_path / "d")
    want = features(np.stack([c.load() for c in clips]))
    got = features_for(clips, cache_dir=tmp_path / "cache", progress=False)
    np.testing.assert_array_equal(got, want)
    assert len(list((tmp_path / "cache").glob("*.npy"))) == 1
    np.testing.assert_array_equal(features_for(clips, cache_dir=tmp_path / "cache", progress=False), want)
    write_wav(clips[0].path, _tone(99))  # changed file -> new cache entry, fresh features
    again = features_for(clips, cache_dir=tmp_path / "cache", progress=False)
    assert len(list((tmp_path / "cache").glob("*.npy"))) == 2
    assert not np.array_equal(again[0], want[0])


def test_speech_part_split(shared_data):
    clips = load_speech_part(shared_data / "speech_commands_v0.02_part")
    assert len(clips) == 3305 and {c.label for c in clips} == set(LABELS)
    train, dev = split_speech_part(clips)
    assert (train, dev) == split_speech_part(list(clips))
    assert not {c.speaker for c in train} & {c.speaker for c in dev}
    assert 0.12 < len(dev) / len(clips) < 0.28
    assert set(class_counts(dev)) == set(LABELS)


def test_fsdd_split(shared_data):
    train, test = load_fsdd(shared_data / "fsdd", "train"), load_fsdd(shared_data / "fsdd", "test")
    assert len(train) == 2700 and len(test) == 300
    assert all(int(c.path.stem.split("_")[2]) < 5 for c in test)
    pcm = test[0].load()
    assert pcm.shape == (16000,) and np.abs(pcm).max() > 1000


def test_features_for_two_workers_equals_one(tmp_path):
    for i in range(140):  # more than one 128-clip chunk, so both workers run
        write_wav(tmp_path / ("yes" if i % 2 else "no") / f"s{i % 7}_nohash_{i}.wav", _tone(i, 4000))
    clips = load_folder(tmp_path)
    one = features_for(clips, progress=False)
    two = features_for(clips, workers=2, progress=False)
    assert one.shape == (140, 32, 32)
    np.testing.assert_array_equal(one, two)
