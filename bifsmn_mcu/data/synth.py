"""Synthetic Speech-Commands-like corpus: TTS words placed in 1 s clips, silence from noise.

Layout matches ``speech_commands_v0.02_part``: ``OUT/<label>/<voice>_nohash_<i>.wav``, in
``_unknown_`` ``<word>_<voice>_nohash_<i>.wav``, in ``_silence_`` ``noise-<i>.wav``, so
``load_folder`` reads it and the speaker-disjoint split keeps each synthetic voice on one side.
Every clip's parameters come from ``(seed, label, word, i)`` alone, so the corpus is the same
whatever the number of worker processes.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..audio import fit_length, read_wav, resample, write_wav
from ..audio.clip import to_int16
from ..frontend import DEFAULT_FEATURES
from .errors import DataError
from .labels import KEYWORDS, SILENCE, UNKNOWN, UNKNOWN_WORDS
from .tts import Voice, list_voices, synthesize

RATE = DEFAULT_FEATURES.sample_rate
CLIP = DEFAULT_FEATURES.clip_samples
FLITE_SHARE = 0.25  # fraction of word clips spoken by flite (5 voices) vs espeak-ng (~800 voice x variant)


@dataclass(frozen=True)
class Job:
    label: str
    word: str  # "" for silence
    index: int
    seed: int
    path: str


def default_noise_dir() -> Path | None:
    """``$BIFSMN_SHARED_DATA/noise`` or ``../shared/data/noise`` beside the checkout, if present."""
    base = os.environ.get("BIFSMN_SHARED_DATA")
    cand = Path(base) / "noise" if base else Path(__file__).resolve().parents[3] / "shared" / "data" / "noise"
    return cand if cand.is_dir() and any(cand.glob("*.wav")) else None


def _rng(job: Job) -> np.random.Generator:
    h = hashlib.sha256(f"{job.seed}|{job.label}|{job.word}|{job.index}".encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def _trim(x: np.ndarray) -> np.ndarray:
    """Cut leading/trailing near-silence (below 2 % of peak, 10 ms margins)."""
    thr = max(1, int(np.abs(x).max()) // 50)
    idx = np.nonzero(np.abs(x) > thr)[0]
    if len(idx) == 0:
        return x
    margin = RATE // 100
    return x[max(0, idx[0] - margin) : idx[-1] + margin]


_NOISE: list[np.ndarray] = []


def _noise_bank(noise_dir: str | None) -> list[np.ndarray]:
    """Background-noise recordings at 16 kHz (loaded once per process); synthetic white/pink
    noise when no folder is given."""
    if _NOISE:
        return _NOISE
    if noise_dir:
        for f in sorted(Path(noise_dir).glob("*.wav")):
            x, rate = read_wav(f)
            _NOISE.append(resample(x, rate, RATE))
    if not _NOISE:
        g = np.random.default_rng(12345)
        white = g.standard_normal(RATE * 20)
        spec = np.fft.rfft(g.standard_normal(RATE * 20))
        pink = np.fft.irfft(spec / np.sqrt(np.maximum(1, np.arange(len(spec)))), n=RATE * 20)
        for x in (white, pink):
            _NOISE.append(to_int16(x / np.abs(x).max() * 12000))
    return _NOISE


def _noise_segment(rng: np.random.Generator, noise_dir: str | None) -> np.ndarray:
    bank = _noise_bank(noise_dir)
    x = bank[int(rng.integers(len(bank)))]
    start = int(rng.integers(len(x) - CLIP + 1))
    return x[start : start + CLIP].astype(np.float64)


def pick_voice(rng: np.random.Generator, voices: tuple[Voice, ...]) -> Voice:
    flite = [v for v in voices if v.engine == "flite"]
    espeak = [v for v in voices if v.engine != "flite"]
    pool = flite if flite and (not espeak or rng.random() < FLITE_SHARE) else espeak
    return pool[int(rng.integers(len(pool)))]


def render(job: Job, noise_dir: str | None) -> np.ndarray:
    """One 1 s int16 clip for a job (pure function of the job and the installed engines)."""
    rng = _rng(job)
    if job.label == SILENCE:
        return to_int16(_noise_segment(rng, noise_dir) * rng.random())
    voice = pick_voice(rng, list_voices())
    speed, pitch = float(rng.uniform(0.75, 1.35)), float(rng.uniform(0.7, 1.4))
    pcm, rate = synthesize(voice, job.word, speed=speed, pitch=pitch)
    word = _trim(resample(pcm, rate, RATE)).astype(np.float64)
    if len(word) > CLIP:
        word = fit_length(word, CLIP)
    peak = max(1.0, np.abs(word).max())
    level = 32767.0 * 10 ** (rng.uniform(-28.0, -2.0) / 20)  # peak level -28 .. -2 dBFS
    out = np.zeros(CLIP)
    start = int(rng.integers(CLIP - len(word) + 1))
    out[start : start + len(word)] = word * (level / peak)
    snr_db = rng.uniform(15.0, 45.0)  # a quiet noise bed, like a real recording's room
    bed = _noise_segment(rng, noise_dir)
    rms_w = np.sqrt(np.mean(out[start : start + len(word)] ** 2)) + 1e-9
    out += bed * (rms_w / (np.sqrt(np.mean(bed**2)) + 1e-9) / 10 ** (snr_db / 20))
    return to_int16(out)


def _voice_id(job: Job) -> str:
    rng = _rng(job)
    return pick_voice(rng, list_voices()).id


def plan(
    out: Path,
    per_word: int,
    unknown_per_word: int,
    silence: int,
    seed: int,
    words: list[str],
) -> list[Job]:
    jobs = []
    for w in words:
        label = w if w in KEYWORDS else UNKNOWN
        n = per_word if label != UNKNOWN else unknown_per_word
        for i in range(n):
            j = Job(label, w, i, seed, "")
            name = f"{_voice_id(j)}_nohash_{i}.wav"
            if label == UNKNOWN:
                name = f"{w}_{name}"
            jobs.append(Job(label, w, i, seed, str(out / label / name)))
    for i in range(silence):
        jobs.append(Job(SILENCE, "", i, seed, str(out / SILENCE / f"noise-{i:05d}.wav")))
    return jobs


_NOISE_DIR: str | None = None


def _init(noise_dir: str | None) -> None:
    global _NOISE_DIR
    _NOISE_DIR = noise_dir


def _do(job: Job) -> str:
    write_wav(job.path, render(job, _NOISE_DIR), RATE)
    return job.label


def make_corpus(
    out: str | Path,
    per_word: int = 50,
    *,
    unknown_per_word: int | None = None,
    silence: int | None = None,
    seed: int = 0,
    words: list[str] | None = None,
    noise_dir: str | Path | None = None,
    jobs: int = 2,
    progress: bool = True,
) -> dict:
    """Write the corpus; returns a summary (counts per label, seconds, clips per second).

    ``unknown_per_word`` defaults to ``ceil(1.5 * per_word / 25)`` (so ``_unknown_`` holds about
    1.5 keyword classes); ``silence`` defaults to ``per_word``; ``words`` defaults to all 35.
    """
    out = Path(out)
    words = list(words) if words else [*KEYWORDS, *UNKNOWN_WORDS]
    bad = [w for w in words if not w.replace("'", "").isalpha()]
    if bad:
        raise DataError(f"words must be plain words, got {bad}")
    if per_word < 0:
        raise DataError("--per-word must be >= 0")
    if unknown_per_word is None:
        unknown_per_word = math.ceil(1.5 * per_word / len(UNKNOWN_WORDS))
    silence = per_word if silence is None else silence
    list_voices()  # probe once in the parent (fails clearly if no engine)
    noise = str(noise_dir) if noise_dir else None
    if noise and not any(Path(noise).glob("*.wav")):
        raise DataError(f"{noise}: no noise WAV files")
    todo = plan(out, per_word, unknown_per_word, silence, seed, words)
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    bar = tqdm(total=len(todo), desc="synth", unit="clip", disable=not progress)
    if jobs > 1:
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        with ctx.Pool(jobs, initializer=_init, initargs=(noise,)) as pool:
            for label in pool.imap_unordered(_do, todo, chunksize=8):
                counts[label] = counts.get(label, 0) + 1
                bar.update()
    else:
        _init(noise)
        for j in todo:
            label = _do(j)
            counts[label] = counts.get(label, 0) + 1
            bar.update()
    bar.close()
    secs = time.perf_counter() - t0
    summary = {
        "out": str(out),
        "clips": len(todo),
        "counts": counts,
        "seconds": round(secs, 2),
        "clips_per_second": round(len(todo) / secs, 1) if secs > 0 else None,
        "seed": seed,
        "per_word": per_word,
        "unknown_per_word": unknown_per_word,
        "silence": silence,
        "words": words,
        "noise_dir": noise,
        "voices": len(list_voices()),
        "jobs": jobs,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "synth.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


__all__ = ["Job", "default_noise_dir", "make_corpus", "plan", "render"]
