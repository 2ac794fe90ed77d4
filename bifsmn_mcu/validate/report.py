"""Validation report files: ``report.json``, ``report.md`` and ``report.png``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "n/a"
    return f"{100 * v:.2f} %" if pct else f"{v:,}" if isinstance(v, int) else str(v)


def _link_line(link: dict[str, int] | None) -> list[str]:
    if link is None:
        return []
    return [
        f"- link (this session): {link['resends']} resends, {link['clip_restarts']} clip restarts, "
        f"{link['bad_crc_frames']} frames with a bad CRC, {link['skipped_bytes']} bytes skipped, "
        f"{link['unsolicited_errors']} unsolicited device errors"
    ]


def markdown(s: dict[str, Any]) -> str:
    unit = s["counter"]["unit"]
    lines = [
        f"# Validation on {s['device'].get('board')} ({s['device'].get('core')})",
        "",
        f"- model `{s['device'].get('model_sha256')}` width {s['device'].get('width')}, mode {s['mode']}",
        f"- utterances: {s['n']} ({s['n_labelled']} labelled)",
        f"- accuracy (device): {_fmt(s['accuracy'], True)}; "
        f"host simulation: {_fmt(s['host_accuracy'], True)}",
        f"- agreement device == host (all logits bit-exact): {_fmt(s['agreement'], True)}",
        f"- flash {_fmt(s['flash_bytes'])} bytes, RAM {_fmt(s['ram_bytes'])} bytes (static, from the ELF)",
        *_link_line(s.get("link")),
        f"- counter: {s['counter']['kind']} -> {unit} at {_fmt(s['clock_hz'])} Hz"
        + (f" ({s['counter']['note']})" if s["counter"]["note"] else ""),
        "",
        f"| stage | min {unit} | median {unit} | max {unit} | median latency ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for stage, st in s["cycles"].items():
        lat = s["latency_ms"][stage]["median"] if s.get("latency_ms") else None
        lines.append(
            f"| {stage} | {st['min']:,} | {st['median']:,} | {st['max']:,} | "
            f"{'n/a' if lat is None else f'{lat:.2f}'} |"
        )
    if s.get("latency_note"):
        lines += ["", f"Latency: {s['latency_note']}."]
    if s["mismatches"]:
        shown, n = len(s["mismatches"]), s.get("n_mismatches", len(s["mismatches"]))
        head = f"Mismatches (first {shown} of {n})" if n > shown else "Mismatches"
        lines += ["", f"{head}: " + ", ".join(s["mismatches"])]
    return "\n".join(lines) + "\n"


def write_png(records: list[dict[str, Any]], s: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = s["counter"]["scale"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    series = {"network": [r["cycles_network"] * k for r in records]}
    if s["mode"] == "pcm":
        series["frontend"] = [r["cycles_frontend"] * k for r in records]
    for name, vals in series.items():
        axes[0].hist(vals, bins=20, alpha=0.7, label=name)
    axes[0].set_xlabel(s["counter"]["unit"])
    axes[0].set_ylabel("utterances")
    axes[0].legend()
    axes[0].set_title(f"{s['device'].get('board')}: counts per inference")
    vals = [s["accuracy"] or 0, s["host_accuracy"] or 0, s["agreement"] or 0]
    axes[1].bar(
        ["accuracy\n(device)", "accuracy\n(host)", "agreement\n(bit-exact)"],
        vals,
        color=["tab:blue", "tab:gray", "tab:green"],
    )
    axes[1].set_ylim(0, 1.12)
    for i, v in enumerate(vals):
        axes[1].text(i, v + 0.02, f"{100 * v:.1f}%", ha="center")
    axes[1].set_title(f"n = {s['n']}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_report(records: list[dict[str, Any]], summary: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(summary, indent=2) + "\n")
    (out_dir / "report.md").write_text(markdown(summary))
    write_png(records, summary, out_dir / "report.png")
    return [out_dir / "report.json", out_dir / "report.md", out_dir / "report.png"]
