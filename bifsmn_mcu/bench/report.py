"""BENCHMARKS.md tables, ratios and the PNG plot from bench records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .runner import BenchRecord

VARIANT_TITLES = {
    "fast": "binary, optimised",
    "portable": "binary, portable C",
    "float32": "float32 baseline",
    "int8": "int8 baseline",
}


def _find(records: Sequence[BenchRecord], core: str, width: str, variant: str) -> BenchRecord | None:
    for r in records:
        if (r.core, r.width, r.variant) == (core, width, variant):
            return r
    return None


def _m(n: int) -> str:
    return f"{n / 1e6:.3f} M"


def ratios(records: Sequence[BenchRecord]) -> list[str]:
    """One line per core and width: how many times fewer instructions the optimised model needs."""
    out = []
    for r in records:
        if r.variant != "fast":
            continue
        parts = []
        for other in ("portable", "float32", "int8"):
            o = _find(records, r.core, r.width, other)
            if o and r.instructions_network:
                parts.append(f"{o.instructions_network / r.instructions_network:.2f}x vs {other}")
        m4 = _find(records, "m4", r.width, "fast")
        if r.core == "m55" and m4:
            parts.append(f"{m4.instructions_network / r.instructions_network:.2f}x fewer than M4")
        out.append(f"{r.core} width {r.width}: {_m(r.instructions_network)} network; " + ", ".join(parts))
    return out


def markdown(records: Sequence[BenchRecord], meta: dict) -> str:
    cores = list(dict.fromkeys(r.core for r in records))
    widths = list(dict.fromkeys(r.width for r in records))
    variants = list(dict.fromkeys(r.variant for r in records))
    lines = [
        "# Benchmarks",
        "",
        "Written by `bifsmn-mcu bench` " + meta.get("command", "") + ". Counts are **exact instructions "
        "executed per inference** (unicorn for M3-M33, QEMU + the icount TCG plugin for M55), "
        "not cycles: an M4 needs several cycles for an FP multiply-accumulate or a load, "
        "one for EOR/AND/ADD.",
        "",
        f"- model: {meta.get('model', '?')} (sha256 `{meta.get('sha256', '?')[:16]}`)",
        f"- input: {meta.get('input', '?')}",
        "- binary variants are checked on every core: logits == the integer reference (`bit-exact` column).",
        "- flash / RAM: bytes of the ELF's functions and objects without the benchmark harness "
        "(model data = weights and constants only); RAM excludes the stack.",
        "- front end: the same C code for every variant (baselines reuse the binary build's count).",
        "- float32 is not built for M3 (no FPU: soft-float emulation is no baseline).",
        "",
    ]
    for width in widths:
        lines += [
            f"## Width {width}",
            "",
            "| core | variant | network insns | front end insns | flash B | model data B | RAM B "
            "| bit-exact |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for core in cores:
            for v in variants:
                r = _find(records, core, width, v)
                if r is None:
                    continue
                ex = "" if r.bit_exact is None else ("yes" if r.bit_exact else "**NO**")
                title = VARIANT_TITLES.get(v, v)
                lines.append(
                    f"| {core} | {title} | {r.instructions_network:,} | "
                    f"{r.instructions_frontend:,} | {r.flash_bytes:,} | {r.model_flash_bytes:,} | "
                    f"{r.ram_bytes:,} | {ex} |"
                )
        lines.append("")
    lines += ["## Ratios", ""] + [f"- {x}" for x in ratios(records)] + [""]
    w1 = [w for w in widths if w == "1"]
    for core in cores:
        for width in w1 + [w for w in widths if w != "1"][:0]:
            f = _find(records, core, width, "fast")
            p = _find(records, core, width, "portable")
            if f and f.per_layer:
                lines += [
                    f"## Per layer, {core}, width {width}",
                    "",
                    "| layer | optimised | portable C |",
                    "| --- | ---: | ---: |",
                ]
                for name, n in f.per_layer.items():
                    pn = p.per_layer.get(name, 0) if p else 0
                    lines.append(f"| {name} | {n:,} | {pn:,} |")
                lines.append("")
    targets = target_lines(records)
    if targets:
        lines += ["## Issue 6 targets", ""] + [f"- {t}" for t in targets] + [""]
    return "\n".join(lines)


def target_lines(records: Sequence[BenchRecord]) -> list[str]:
    out = []
    f4 = _find(records, "m4", "1", "fast")
    if f4:
        n = f4.instructions_network
        out.append(f"width 1, M4, network <= 3.0 M: {_m(n)} -> {'met' if n <= 3_000_000 else 'NOT met'}")
        fl = _find(records, "m4", "1", "float32")
        i8 = _find(records, "m4", "1", "int8")
        if fl:
            r = fl.instructions_network / n
            out.append(f"width 1, M4, >= 4x fewer than float32: {r:.2f}x -> {'met' if r >= 4 else 'NOT met'}")
            fr = fl.model_flash_bytes / max(1, f4.model_flash_bytes)
            ok = "met" if fr >= 25 else "NOT met"
            out.append(f"model data >= 25x smaller than float32: {fr:.1f}x -> {ok}")
        if i8:
            r = i8.instructions_network / n
            out.append(f"width 1, M4, >= 3x fewer than int8: {r:.2f}x -> {'met' if r >= 3 else 'NOT met'}")
        q = _find(records, "m4", "1/4", "fast")
        if q:
            r = q.instructions_network / n
            ok = "met" if r <= 0.45 else "NOT met"
            out.append(f"width 1/4 <= 45 % of width 1 (M4): {100 * r:.1f} % -> {ok}")
    f55 = _find(records, "m55", "1", "fast")
    if f55 and f4:
        r = f4.instructions_network / f55.instructions_network
        out.append(f"M55 >= 1.5x fewer than M4 (width 1): {r:.2f}x -> {'met' if r >= 1.5 else 'NOT met'}")
    return out


def plot(records: Sequence[BenchRecord], path: Path, accuracy: dict[str, float] | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cores = list(dict.fromkeys(r.core for r in records))
    widths = list(dict.fromkeys(r.width for r in records))
    variants = list(dict.fromkeys(r.variant for r in records))
    n_panels = 2 if accuracy else 1
    fig, axes = plt.subplots(1, n_panels, figsize=(6.5 * n_panels, 4.5), squeeze=False)
    ax = axes[0][0]
    xs = list(range(len(widths)))
    styles = {"fast": "-", "portable": "--", "float32": ":", "int8": "-."}
    for ci, core in enumerate(cores):
        for v in variants:
            found = [_find(records, core, w, v) for w in widths]
            ys = [r.instructions_network if r else 0 for r in found]
            if any(ys):
                ax.plot(
                    xs,
                    [y / 1e6 if y else float("nan") for y in ys],
                    styles.get(v, "-"),
                    marker="o",
                    color=f"C{ci}",
                    label=f"{core} {v}",
                )
    ax.set_xticks(xs, [f"width {w}" for w in widths])
    ax.set_yscale("log")
    ax.set_ylabel("instructions per inference (M, log)")
    ax.set_title("network instructions vs width (colour: core, line: variant)")
    ax.legend(fontsize=6, ncol=2)
    if accuracy:
        ax2 = axes[0][1]
        for core in cores:
            pts = [
                (r.instructions_network / 1e6, 100 * accuracy[r.width])
                for r in records
                if r.core == core and r.variant == "fast" and r.width in accuracy
            ]
            if pts:
                ax2.plot(*zip(*pts, strict=True), marker="o", label=core)
        ax2.set_xlabel("instructions per inference (M)")
        ax2.set_ylabel("top-1 accuracy (%)")
        ax2.set_title("accuracy vs instructions (optimised)")
        ax2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
