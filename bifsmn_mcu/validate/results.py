"""Per-utterance results as JSON lines: appended (and flushed) as they arrive, read back to resume."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class ResultsError(ValueError):
    """A results file that cannot be resumed (other model or mode)."""


def load_results(path: Path) -> dict[str, dict[str, Any]]:
    """id -> record (the last record of an id wins; a torn last line is ignored)."""
    done: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return done
    for line in path.read_text().splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by a crash
        if isinstance(rec, dict) and "id" in rec:
            done[rec["id"]] = rec
    return done


# What a run measured on, stamped on every record: results of one run must not mix them.
RUN_KEYS = ("width", "board", "counter", "clock_hz", "icount_shift")


def run_stamp(info: dict[str, Any], width: str) -> dict[str, Any]:
    """The RUN_KEYS of this run, from the device's INFO."""
    return {k: width if k == "width" else info.get(k) for k in RUN_KEYS}


def check_resumable(
    done: dict[str, dict[str, Any]],
    *,
    model_sha256: str,
    mode: str,
    path: Path,
    stamp: dict[str, Any] | None = None,
) -> None:
    """Refuses results of another model, mode, width, board or counter (``stamp``, see run_stamp);
    records written before they carried a stamp are checked on model and mode only."""
    for rec in done.values():
        if rec.get("model_sha256") != model_sha256:
            raise ResultsError(
                f"{path} holds results of model {rec.get('model_sha256')}, "
                f"not {model_sha256}: use another --resume file"
            )
        if rec.get("mode") != mode:
            raise ResultsError(f"{path} holds --mode {rec.get('mode')} results; this run is --mode {mode}")
        for key, value in (stamp or {}).items():
            if key in rec and rec[key] != value:
                raise ResultsError(
                    f"{path} holds results measured with {key} {rec[key]!r}; this device reports "
                    f"{value!r}: use another --resume file (or the device those results came from)"
                )


class ResultsWriter:
    """Appends one JSON line per result and flushes it to disk at once."""

    def __init__(self, path: Path, fresh: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not fresh and path.is_file():
            self._repair_tail(path)
        self._fh = path.open("w" if fresh else "a")

    @staticmethod
    def _repair_tail(path: Path) -> None:
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            with path.open("ab") as fh:
                fh.write(b"\n")

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()
