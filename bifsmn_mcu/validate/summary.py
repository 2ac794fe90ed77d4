"""Summary of validation records: accuracy, agreement, counts per stage, latency, memory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

MAX_LISTED = 20  # mismatching utterance ids listed in the summary


def counter_scale(info: dict[str, Any]) -> tuple[str, float]:
    """(unit, factor): device counts x factor = reported counts.

    Under QEMU ``-icount shift=N`` SysTick ticks at f_clock advance f_clock * 2^N ns per
    instruction, so instructions = ticks / (f_clock * 2^N * 1e-9). DWT/SysTick on real boards are
    cycles; the host build reports ns."""
    kind = info.get("counter", "")
    if kind == "systick-icount":
        shift = int(info.get("icount_shift", 3))
        return "instructions", 1.0 / (float(info["clock_hz"]) * (2**shift) * 1e-9)
    if kind == "clock-ns":
        return "ns", 1.0
    if kind == "micros":
        return "us", 1.0
    return "cycles", 1.0


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"min": 0, "median": 0, "max": 0}
    a = np.asarray(values, dtype=np.float64)
    return {"min": int(round(a.min())), "median": int(round(float(np.median(a)))), "max": int(round(a.max()))}


def summarize(
    records: Iterable[dict[str, Any]],
    info: dict[str, Any],
    *,
    flash_bytes: int | None,
    ram_bytes: int | None,
    mode: str,
) -> dict[str, Any]:
    recs = list(records)
    unit, k = counter_scale(info)
    labelled = [r for r in recs if r.get("label") is not None]
    fe = [r["cycles_frontend"] * k for r in recs if mode == "pcm"]
    nn = [r["cycles_network"] * k for r in recs]
    total = [a + b for a, b in zip(fe, nn, strict=True)] if fe else nn
    clock = float(info.get("clock_hz") or 0)
    cycles = {"network": _stats(nn)}
    if fe:
        cycles["frontend"] = _stats(fe)
    cycles["total"] = _stats(total)
    latency_ms = None
    if clock and unit not in ("ns", "us"):
        latency_ms = {s: {q: v / clock * 1e3 for q, v in st.items()} for s, st in cycles.items()}
    elif unit in ("ns", "us"):
        div = 1e6 if unit == "ns" else 1e3
        latency_ms = {s: {q: v / div for q, v in st.items()} for s, st in cycles.items()}
    bad = [r["id"] for r in recs if not r["agree"]]
    return {
        "n": len(recs),
        "mode": mode,
        "accuracy": (sum(r["device_label"] == r["label"] for r in labelled) / len(labelled))
        if labelled
        else None,
        "host_accuracy": (sum(r["host_label"] == r["label"] for r in labelled) / len(labelled))
        if labelled
        else None,
        "n_labelled": len(labelled),
        "agreement": (sum(bool(r["agree"]) for r in recs) / len(recs)) if recs else None,
        "label_agreement": (sum(r["device_label"] == r["host_label"] for r in recs) / len(recs))
        if recs
        else None,
        "n_mismatches": len(bad),
        "mismatches": bad[:MAX_LISTED],  # the first MAX_LISTED ids
        "cycles": cycles,
        "counter": {
            "kind": info.get("counter"),
            "unit": unit,
            "scale": k,
            "icount_shift": info.get("icount_shift"),
            "note": "QEMU -icount: instruction counts, not cycles" if unit == "instructions" else "",
        },
        "clock_hz": info.get("clock_hz"),
        "latency_ms": latency_ms,
        "latency_note": "instructions at 1 per cycle at the board clock" if unit == "instructions" else "",
        "flash_bytes": flash_bytes,
        "ram_bytes": ram_bytes,
        "device": {
            k2: info.get(k2) for k2 in ("board", "core", "build", "width", "model_sha256", "protocol")
        },
    }
