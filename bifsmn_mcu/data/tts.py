"""Text-to-speech engines for the synthetic corpus: espeak-ng (all English voices x variants)
and flite (its general-domain voices). Each call runs the engine binary once."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import DataError

FLITE_VOICES = {"kal": 105.0, "kal16": 105.0, "awb": 110.0, "rms": 100.0, "slt": 170.0}
"""flite general-domain voices -> default f0 mean (Hz); ``awb_time`` (time-of-day domain) is left out."""


@dataclass(frozen=True)
class Voice:
    engine: str  # "espeak-ng" or "flite"
    name: str  # espeak-ng language/voice name, or flite voice
    variant: str = ""  # espeak-ng variant (e.g. "f3"), "" for the plain voice

    @property
    def id(self) -> str:
        """File-name-safe speaker id (no underscores: they separate fields in clip names)."""
        raw = f"{'es' if self.engine == 'espeak-ng' else 'fl'}-{self.name}"
        raw += f"-{self.variant}" if self.variant else ""
        return "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in raw)


def _run(cmd: list[str]) -> None:
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    if r.returncode != 0:
        err = r.stderr.decode(errors="replace").strip().splitlines()
        raise DataError(f"{cmd[0]} failed ({r.returncode}): {err[-1] if err else 'no message'}")


def _read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate, data = w.getframerate(), w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.int16), rate


def synthesize(voice: Voice, text: str, speed: float = 1.0, pitch: float = 1.0) -> tuple[np.ndarray, int]:
    """Speak ``text``: (int16 samples, sample rate). ``speed``/``pitch`` are factors around 1."""
    with tempfile.TemporaryDirectory(prefix="bifsmn-tts-") as tmp:
        out = Path(tmp) / "out.wav"
        if voice.engine == "espeak-ng":
            v = voice.name + (f"+{voice.variant}" if voice.variant else "")
            wpm = int(round(165 * speed))
            pit = int(np.clip(round(50 * pitch), 0, 99))
            _run(["espeak-ng", "-v", v, "-s", str(wpm), "-p", str(pit), "-w", str(out), text])
        elif voice.engine == "flite":
            f0 = FLITE_VOICES.get(voice.name, 110.0) * pitch
            _run([
                "flite", "-voice", voice.name, "-t", text, "-o", str(out),
                "--setf", f"duration_stretch={1.0 / speed:.3f}", "--setf", f"int_f0_target_mean={f0:.1f}",
            ])  # fmt: skip
        else:
            raise DataError(f"unknown TTS engine {voice.engine!r}")
        if not out.is_file() or out.stat().st_size <= 44:
            raise DataError(f"{voice.id}: engine produced no audio for {text!r}")
        return _read(out)


def _espeak_table(arg: str) -> list[list[str]]:
    r = subprocess.run(["espeak-ng", f"--voices={arg}"], capture_output=True, text=True, timeout=30)
    return [line.split() for line in r.stdout.splitlines()[1:] if line.strip()]


@lru_cache(maxsize=1)
def list_voices() -> tuple[Voice, ...]:
    """Every working English voice: espeak-ng voices x (plain + all variants), flite voices.

    A voice that fails a one-word probe (e.g. an MBROLA voice without its data) is left out.
    """
    voices: list[Voice] = []
    if shutil.which("espeak-ng"):
        names = []
        for row in _espeak_table("en"):
            lang, file = row[1], row[4]
            if lang not in names and (file.startswith("gmw/") or file.startswith("mb/")):
                names.append(lang if file.startswith("gmw/") else file.split("/")[1])
        table = _espeak_table("variant")
        variants = sorted({row[4].split("/", 1)[1] for row in table if row[4].startswith("!v/")})
        for name in names:
            try:
                synthesize(Voice("espeak-ng", name), "yes")
            except DataError:
                continue
            voices.append(Voice("espeak-ng", name))
            voices.extend(Voice("espeak-ng", name, v) for v in variants)
    if shutil.which("flite"):
        r = subprocess.run(["flite", "-lv"], capture_output=True, text=True, timeout=30)
        listed = r.stdout.split(":", 1)[-1].split()
        for name in sorted(set(listed) & set(FLITE_VOICES)):
            try:
                synthesize(Voice("flite", name), "yes")
            except DataError:
                continue
            voices.append(Voice("flite", name))
    if not voices:
        raise DataError(
            "no speech synthesizer found: install espeak-ng and/or flite (apt-get install espeak-ng flite)"
        )
    return tuple(voices)
