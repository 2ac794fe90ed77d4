"""Average the weights of a run's last epochs, re-estimate BatchNorm, and measure dev accuracy.

``python -m bifsmn_mcu.training.average --run RUN [--last K] [--out FILE]`` reads the per-epoch
checkpoints that ``bifsmn-mcu train --keep-epochs N`` keeps in ``RUN/epochs/``, averages every floating
point tensor of the last K of them (latent real weights, thresholds, LPB alphas, PReLU slopes, BN affine
parameters; the 1-bit weights are the signs of the averaged latent weights), re-estimates the BN statistics
as the trainer does before every evaluation, and prints the dev accuracy of every path as JSON. The
averaged model is an ordinary checkpoint (``evaluate``, ``export`` and ``ship --checkpoint`` take it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from bifsmn_mcu.frontend import DEFAULT_FEATURES

from .calibrate import calibrate_bn, trainer_calibration_set
from .checkpoint import model_from_checkpoint, read_checkpoint, save_checkpoint, strip
from .data import build_featuresets
from .evaluation import accuracy_per_path, eval_paths


def average_state_dicts(states: list[dict]) -> dict:
    """Element-wise mean of floating tensors (computed in float64); other tensors from the last state."""
    if not states:
        raise ValueError("no checkpoints to average")
    keys = list(states[-1])
    for s in states:
        if list(s) != keys:
            raise ValueError("the checkpoints hold different tensors: not the same model")
    out = {}
    for k in keys:
        last = states[-1][k]
        if torch.is_floating_point(last):
            out[k] = (sum(s[k].double() for s in states) / len(states)).to(last.dtype)
        else:
            out[k] = last.clone()
    return out


def epoch_files(run: Path, last: int) -> list[Path]:
    files = sorted((run / "epochs").glob("epoch_*.pt"))
    if not files:
        raise SystemExit(f"{run}/epochs: no per-epoch checkpoints (train with --keep-epochs N)")
    if last > len(files):
        raise SystemExit(f"{run}/epochs holds {len(files)} epochs; --last {last} asks for more")
    return files[-last:]


def average_run(run: Path, last: int, progress: bool = True) -> tuple[dict, dict]:
    """(averaged checkpoint, dev accuracy per path) of the last ``last`` kept epochs of ``run``."""
    files = epoch_files(run, last)
    cks = [read_checkpoint(f) for f in files]
    ck = cks[-1]
    avg = average_state_dicts([c["state_dict"] for c in cks])
    model = model_from_checkpoint({**ck, "state_dict": avg}, files[-1])
    cfg = ck["config"]
    _, train_set, dev_set = build_featuresets(cfg["data"], DEFAULT_FEATURES, progress=progress)
    calib = trainer_calibration_set(model, train_set.feats, cfg["train"])
    if calib is not None:
        calibrate_bn(model, calib)
    acc = accuracy_per_path(model, dev_set.feats[:, 0], dev_set.labels, eval_paths(model))
    epochs = [int(c["epoch"]) for c in cks]
    out = {
        **strip(ck),
        "state_dict": model.state_dict(),
        "metrics": {"dev": acc, "averaged_epochs": epochs, "dev_clips": len(dev_set)},
    }
    return out, acc


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True, help="run folder trained with --keep-epochs N")
    ap.add_argument("--last", type=int, default=10, help="average the last K kept epochs [default: 10]")
    ap.add_argument("--out", type=Path, help="write the averaged checkpoint here [default: RUN/avg_K.pt]")
    args = ap.parse_args(argv)
    if args.last < 1:
        raise SystemExit("--last must be >= 1")
    ck, acc = average_run(args.run, args.last)
    path = save_checkpoint(ck, args.out or args.run / f"avg_{args.last}.pt")
    print(json.dumps({"checkpoint": str(path), "epochs": ck["metrics"]["averaged_epochs"], "dev": acc}))


if __name__ == "__main__":
    main()
