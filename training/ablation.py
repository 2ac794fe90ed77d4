"""The ablation table of TRAINING.md, from the runs' ``metrics.jsonl`` (every number from a file).

``python -m bifsmn_mcu.training.ablation --runs RUNS_DIR [--shipped RUN] [--ablation-runs DIR]
[--write TRAINING.md]`` reads ``<dir>/<run>/metrics.jsonl`` for the runs below, picks each run's selected
epoch with the trainer's rule (best full-path dev accuracy with full >= 1/2 >= 1/4) and prints Markdown
tables; ``--write`` replaces the main table between the ``main-table`` markers of a Markdown file and, with
``--ablation-runs``, the ablation table between the ``ablation-table`` markers (each table is rewritten only
from the run folders it is given, so the two can come from different sessions).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .trainer import select_best

ALL = ("1", "1/2", "1/4", "1/8")
MAIN = [  # (run folder, label shown, widths reported[, shown only when the run exists])
    ("teacher", "FP D-FSMN teacher", ("1",)),
    ("teacher_reg", "FP teacher, more regularisation (KD ensemble member)", ("1",), True),
    ("teacher_reg_synth2", "FP teacher, more regularisation + synth2 (KD ensemble member)", ("1",), True),
    ("bifsmnv2", "**BiFSMNv2** (shipped run)", ALL),
]
STAGE1_LABEL = "BiFSMNv2 stage 1 of the shipped run (real-valued weights)"
ABLATION = [  # one same reduced budget each, all initialised from the same teacher
    ("plain_bnn", "plain BNN (sign + STE, no scales)", ("1",)),
    ("bifsmn_v1", "BiFSMN v1 (HED + thinnable)", ALL),
    ("bifsmnv2", "BiFSMNv2", ALL),
    ("bifsmnv2_no_fid", "BiFSMNv2 without FID (logit MSE only)", ALL),
    ("bifsmnv2_no_dsa", "BiFSMNv2 without DSA (one bit plane)", ALL),
    ("bifsmnv2_no_lpb", "BiFSMNv2 without LPB (fixed STE window)", ALL),
    ("bifsmnv2_kd", "BiFSMNv2 + soft-label KD", ALL),
]
START, END = "<!-- ablation-table:start -->", "<!-- ablation-table:end -->"
MAIN_START, MAIN_END = "<!-- main-table:start -->", "<!-- main-table:end -->"


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main_rows(runs: Path, shipped: str = "bifsmnv2") -> list:
    """MAIN with the shipped run's folder; a two-stage run's stage 1 (its ``--init`` run) gets a row too."""
    rows = [r for r in MAIN if r[0] != "bifsmnv2"]
    cfg_file = runs / shipped / "config.json"
    init = (
        json.loads(cfg_file.read_text()).get("train", {}).get("init_checkpoint")
        if cfg_file.is_file()
        else None
    )
    stage1 = runs / Path(init).parent.name if init else None
    if stage1 and (stage1 / "config.json").is_file():
        if json.loads((stage1 / "config.json").read_text()).get("train", {}).get("real_weights"):
            rows.append((stage1.name, STAGE1_LABEL, ALL))
    return [*rows, (shipped, "**BiFSMNv2** (shipped run)", ALL)]


def table(runs: Path, rows_spec: list) -> str:
    head = (
        "| model | run (config) | selected epoch / epochs | width 1 | 1/2 | 1/4 | 1/8 "
        "| wall clips/s (varies with load) |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for run, label, widths, *optional in rows_spec:
        path = runs / run / "metrics.jsonl"
        if not path.is_file() and optional:
            continue
        if not path.is_file():
            lines.append(f"| {label} | `{run}` | not run | | | | | |")
            continue
        rows = read_rows(path)
        best = select_best(rows)
        cfg_file = runs / run / "config.json"
        name = json.loads(cfg_file.read_text()).get("name", "?") if cfg_file.is_file() else "?"
        cells = [f"{100 * best['dev'][w]:.2f}" if w in widths and w in best["dev"] else "" for w in
                 ("1", "1/2", "1/4", "1/8")]  # fmt: skip
        cps = sum(r["clips_per_s"] for r in rows) / len(rows)
        head_cells = f"| {label} | `{run}` (`{name}`) | {best['epoch']}/{len(rows)} | "
        lines.append(head_cells + " | ".join(cells) + f" | {cps:.0f} |")
    return head + "\n".join(lines) + "\n"


def write_into(doc: Path, text: str, start: str = START, end: str = END) -> None:
    """Replace the text between the ``start`` and ``end`` marker lines of a Markdown file."""
    s = doc.read_text()
    if start not in s or end not in s:
        raise SystemExit(f"{doc}: no {start} ... {end} markers")
    a, b = s.index(start) + len(start), s.index(end)
    doc.write_text(s[:a] + "\n" + text + s[b:])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=Path, required=True, help="folder holding <run>/metrics.jsonl")
    ap.add_argument("--shipped", default="bifsmnv2", help="run folder (in --runs) of the shipped student")
    ap.add_argument("--ablation-runs", type=Path, help="folder of the reduced-budget ablation runs")
    ap.add_argument("--write", type=Path, help="Markdown file whose table blocks are replaced")
    args = ap.parse_args(argv)
    main_text = "Main runs (`--runs`):\n\n" + table(args.runs, main_rows(args.runs, args.shipped))
    print(main_text, end="")
    abl_text = ""
    if args.ablation_runs:
        abl_text = "Ablations at one same reduced budget (`--ablation-runs`):\n\n" + table(
            args.ablation_runs, ABLATION
        )
        print("\n" + abl_text, end="")
    if args.write:
        write_into(args.write, main_text, MAIN_START, MAIN_END)
        if abl_text:
            write_into(args.write, abl_text)


if __name__ == "__main__":
    main()
