"""Ship a trained student: strip training state, write ``bifsmn_mcu/pretrained/`` checkpoint + MODEL_CARD.md.

``python -m bifsmn_mcu.training.ship --run RUN_DIR [--teacher-run DIR] [--out bifsmn_mcu/pretrained]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from .ablation import read_rows
from .checkpoint import read_checkpoint, save_checkpoint, strip

PRETRAINED = Path(__file__).resolve().parents[1] / "bifsmn_mcu" / "pretrained"
NAME = "bifsmnv2_default.pt"


def _loss_text(dc: dict) -> str:
    """The per-path loss of a distill config, as trainer.batch_loss computes it."""
    terms = {"fid": "FID + logit MSE" if dc.get("logit", True) else "FID", "hed": "HED"}.get(dc["method"])
    kd = float(dc.get("kd", 0.0))
    feat = f" + {dc['weight']} * ({terms})" if terms else ""
    soft = f" + {kd:g} * soft-label KL (T = {float(dc.get('kd_T', 1.0)):g})" if kd > 0 else ""
    more = len(dc.get("kd_teachers") or ())
    ens = (
        f"; logit targets: the mean logits of the teacher and {more} more "
        f"({', '.join(f'`{Path(t).parent.name}`' for t in dc['kd_teachers'])})"
        if more and (kd > 0 or dc.get("logit", True) and dc["method"] == "fid")
        else ""
    )
    return f"`w * (CE{feat}{soft})`{ens}"


def _start_text(tr: dict) -> str:
    """Where the student started: the teacher, or (fine-tuning / two-stage) another run's checkpoint."""
    init = tr.get("init_checkpoint")
    if not init:
        return "Student initialised from the teacher"
    cfg_file = Path(init).parent / "config.json"
    first = json.loads(cfg_file.read_text()) if cfg_file.is_file() else {}
    t1 = first.get("train", {})
    if t1.get("real_weights"):
        return (
            f"Two-stage schedule: stage 1 ({t1.get('epochs', '?')} epochs, same losses, initialised from the "
            "teacher) trains binary activations with real-valued weights; stage 2, this run, starts from "
            "stage 1's last epoch with 1-bit weights"
        )
    return f"Student started from the checkpoint `{Path(init).parent.name}/{Path(init).name}`"


def _weights_text(ck: dict, n_epochs: int) -> str:
    """Which weights ship: one selected epoch, or the average of several (``training.average``)."""
    n_cal = f"{int(ck['config']['train'].get('bn_calibration', 1024)):,}"  # what the trainer used
    avg = ck["metrics"].get("averaged_epochs")
    if avg:
        return (
            f"Weights: the average of epochs {avg[0]}-{avg[-1]} of the {n_epochs} run "
            f"(`python -m bifsmn_mcu.training.average`), then per-path BN re-estimation on {n_cal} "
            "training clips."
        )
    return (
        f"Selected epoch: {ck['epoch']} of the {n_epochs} run when shipped (best full-path dev accuracy "
        f"with\nfull >= 1/2 >= 1/4, after per-path BN re-estimation on {n_cal} training clips)."
    )


def _card(ck: dict, run: Path, teacher_run: Path | None, path: Path, command: str, note: str = "") -> str:
    cfg = ck["config"]
    dev = ck["metrics"]["dev"]
    rows = read_rows(run / "metrics.jsonl")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    t_line = ""
    if teacher_run and (teacher_run / "metrics.jsonl").is_file():
        from .trainer import select_best

        t = select_best(read_rows(teacher_run / "metrics.jsonl"))
        t_line = f"| FP teacher (D-FSMN) | {100 * t['dev']['1']:.2f} | | | |\n"
    widths = ("1", "1/2", "1/4", "1/8")
    acc = " | ".join(f"{100 * dev[w]:.2f}" for w in widths)
    n_dev = rows[-1].get("dev_clips")
    ci_line = ""
    if n_dev:
        from .evaluation import accuracy_interval

        cis = [accuracy_interval(round(dev[w] * n_dev), n_dev) for w in widths]
        ci_line = (
            f"| 95 % interval (Wilson, {n_dev} clips) | "
            + " | ".join(f"{100 * lo:.1f}-{100 * hi:.1f}" for lo, hi in cis)
            + " |\n"
        )
    tr, d = cfg["train"], cfg["data"]
    extra = ", ".join(Path(x).name for x in d.get("extra_train", []))
    return f"""# Model card: `{NAME}` (BiFSMNv2, 12-class keyword spotting)

- **File**: `{NAME}`, {path.stat().st_size / 1e6:.2f} MB, sha256 `{sha}`.
- **Task**: Speech Commands 12 classes, labels (index order): {", ".join(f"`{x}`" for x in ck["labels"])}.
- **Input**: int16 features of the fixed-point front end (`bifsmn_mcu.frontend.features`, 32 mel x 32
  frames, log2 energy in Q8), normalised `(F - {ck["feat_mean"]}) / {ck["feat_std"]:.4f}` (both stored in
  the file).
- **Network**: BiFSMNv2 (SPEC.md section 3): int8 conv1, binary conv2/proj and 8 binary D-FSMN blocks with
  dual-scale activations (2 bit planes, per-group second-plane scale), true 1-bit weights with a per-output
  channel scale in every binarized layer, int8 classifier on int16 Q8 inputs; thin paths 1, 1/2, 1/4, 1/8
  (blocks 0-7, {{1,3,5,7}}, {{3,7}}, {{7}}).

## Data
Train: the speaker-disjoint train split (80 % of speakers, `bifsmn_mcu.data.split_by_speaker`) of
`speech_commands_v0.02_part` (70 % of the official v0.02 test speakers) plus the synthetic corpus
(espeak-ng/flite, `bifsmn-mcu data synth`, {extra}): {rows[-1].get("train_clips", "?")}
training clips in all; {d["copies"]} augmented copies per clip
(gain, speed, shift, background noise) through the front end, one time + one frequency mask per batch.
Dev: the other 20 % of speakers ({rows[-1].get("dev_clips", "?")} clips), never trained on. The 30 %
held-out official test speakers are not in this data and judge the model separately.

## Recipe
Teacher: full-precision D-FSMN (ReLU, dropout 0.2), AdamW. {_start_text(tr)}, trained
{tr["epochs"]} epochs, batch {tr["batch_size"]}, {tr["optimizer"]} lr {tr["lr"]} cosine,
weight decay {tr["weight_decay"]},
thresholds and LPB alphas at {tr["slow_lr"]}x lr; paths {tr["paths"]} trained jointly with weights
{tr["path_weights"]}; loss per path {_loss_text(cfg["distill"])}.
{_weights_text(ck, len(rows))}
{note}

## Dev accuracy (%)
| model | width 1 | 1/2 | 1/4 | 1/8 |
|---|---|---|---|---|
{t_line}| BiFSMNv2 (this file) | {acc} |
{ci_line}
The epoch was chosen on this dev split, so the figures lean optimistic; the interval is the binomial
spread of {n_dev or "the"} clips only (`bifsmn-mcu evaluate` prints it for any folder).

## Reproduce
```
{command}
```
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True)
    ap.add_argument("--teacher-run", type=Path)
    ap.add_argument("--checkpoint", default="best.pt")
    ap.add_argument("--out", type=Path, default=PRETRAINED)
    ap.add_argument("--command", default="", help="the commands that reproduce the run (for the card)")
    ap.add_argument("--note", default="", help="free text for the card (run history, caveats)")
    args = ap.parse_args(argv)
    ck = read_checkpoint(args.run / args.checkpoint)
    args.out.mkdir(parents=True, exist_ok=True)
    path = save_checkpoint(strip(ck), args.out / NAME)
    (args.out / "MODEL_CARD.md").write_text(
        _card(ck, args.run, args.teacher_run, path, args.command, args.note)
    )
    print(json.dumps({"checkpoint": str(path), "bytes": path.stat().st_size, "epoch": ck["epoch"],
                      "dev": ck["metrics"]["dev"]}))  # fmt: skip


if __name__ == "__main__":
    main()
