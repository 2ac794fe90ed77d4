"""``bifsmn-mcu evaluate``: top-1 accuracy of a checkpoint (every thin path) on a labelled folder."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

DEFAULT_CHECKPOINT = Path(__file__).resolve().parents[1] / "pretrained" / "bifsmnv2_default.pt"


@click.command("evaluate")
@click.option(
    "--checkpoint",
    type=click.Path(),
    default=None,
    help="checkpoint (.pt) [default: the shipped bifsmn_mcu/pretrained/bifsmnv2_default.pt]",
)
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(),
    help="labelled folder DIR/<label>/*.wav (or an FSDD folder: its test split)",
)
@click.option(
    "--split",
    type=click.Choice(["all", "dev", "train"]),
    default="all",
    show_default=True,
    help="all clips, or one side of the deterministic speaker-disjoint split (20 % dev)",
)
@click.option(
    "--cache", type=click.Path(), help="feature cache folder [default: ~/.cache/bifsmn-mcu/features]"
)
@click.option(
    "--ensemble",
    "ensemble",
    multiple=True,
    type=click.Path(),
    help="another checkpoint (repeatable): also report the full-path accuracy of the mean logits of "
    "--checkpoint and these (what train --kd-teacher distils from)",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="print one JSON object with `accuracy` and its 95 % Wilson interval `ci95` per path",
)
@click.option(
    "--per-class",
    is_flag=True,
    help="also give each class's recall per path and, at width 1, the classes its missed clips were "
    "predicted as (JSON: `per_class`)",
)
def evaluate(
    checkpoint: str | None,
    data: str,
    split: str,
    cache: str | None,
    ensemble: tuple[str, ...],
    as_json: bool,
    per_class: bool,
) -> None:
    """Accuracy of the PyTorch model (teacher: one path; student: 1, 1/2, 1/4, 1/8) on DIR, with a 95 %
    Wilson interval per path (how far the accuracy on other speakers may be from it)."""
    try:
        import torch

        torch.set_num_threads(1)  # 2 threads crawl on a busy 2-core machine
    except ImportError:
        raise click.ClickException("evaluate needs PyTorch: pip install 'bifsmn-mcu[train]'") from None
    from bifsmn_mcu.data import DataError, features_for, load_folder, load_fsdd, split_by_speaker
    from bifsmn_mcu.data.labels import folder_label
    from bifsmn_mcu.training.checkpoint import CheckpointError, load_model
    from bifsmn_mcu.training.evaluation import (
        accuracy_from_counts,
        accuracy_interval,
        correct_per_path,
        eval_paths,
        predict,
    )
    from bifsmn_mcu.training.evaluation import per_class as class_report

    ckpt_path = Path(checkpoint) if checkpoint else DEFAULT_CHECKPOINT
    if checkpoint is None and not ckpt_path.is_file():
        raise click.ClickException(f"no shipped checkpoint at {ckpt_path}; pass --checkpoint FILE")
    try:
        model, ck = load_model(ckpt_path)
    except CheckpointError as e:
        raise click.ClickException(str(e)) from None
    root = Path(data)
    try:
        if (root / "recordings").is_dir() or (root.name == "recordings" and root.is_dir()):
            clips = load_fsdd(root, "test")
        else:
            clips = load_folder(root)
    except DataError as e:
        raise click.ClickException(str(e)) from None
    if split != "all":
        clips = split_by_speaker(clips)[0 if split == "train" else 1]
    labels = list(ck["labels"])
    # a raw Speech Commands tree counts for the 12-class task (bed -> _unknown_), as in validate
    clips = [replace(c, label=folder_label(c.label, labels) or c.label) for c in clips]
    foreign = sorted({c.label for c in clips} - set(labels))
    if foreign:
        raise click.ClickException(f"{root}: labels {foreign} are not classes of {ckpt_path} ({labels})")
    if not clips:
        raise click.ClickException(f"{root}: no clips to evaluate")
    import numpy as np

    cache_dir = cache or str(Path.home() / ".cache" / "bifsmn-mcu" / "features")
    feats = features_for(clips, cache_dir=cache_dir, workers=2, progress=not as_json)
    y = np.array([labels.index(c.label) for c in clips])
    pred = predict(model, feats, eval_paths(model))
    correct = {w: int((p == y).sum()) for w, p in pred.items()}
    classes = {w: class_report(p, y, labels) for w, p in pred.items()} if per_class else None
    acc = accuracy_from_counts(correct, len(y))
    ci95 = {w: accuracy_interval(c, len(y)) for w, c in correct.items()}
    ens = None
    if ensemble:
        from bifsmn_mcu.training.teachers import TeacherEnsemble, load_frozen

        try:  # the --checkpoint model is already loaded: only the others are read
            mean_model = TeacherEnsemble(model, [load_frozen(p, labels)[0] for p in ensemble]).eval()
        except (CheckpointError, ValueError) as e:
            raise click.ClickException(str(e)) from None
        n_ok = correct_per_path(mean_model, feats, y, ("1",))["1"]
        ens = {
            "checkpoints": [str(ckpt_path), *ensemble],
            "accuracy": accuracy_from_counts({"1": n_ok}, len(y))["1"],
            "ci95": accuracy_interval(n_ok, len(y)),
        }
    if as_json:
        click.echo(
            json.dumps(
                {
                    "checkpoint": str(ckpt_path),
                    "data": str(root),
                    "split": split,
                    "clips": len(clips),
                    "kind": ck["model_spec"].get("kind"),
                    "accuracy": acc,
                    "ci95": ci95,
                    **({"ensemble": ens} if ens else {}),
                    **({"per_class": classes} if classes else {}),
                }
            )
        )
        return
    click.echo(f"{ckpt_path} on {root} ({split}, {len(clips)} clips)")
    for w, a in acc.items():
        lo, hi = ci95[w]
        click.echo(f"  width {w:>3}: {100 * a:6.2f} %  (95 % interval {100 * lo:.1f}-{100 * hi:.1f} %)")
    if ens:
        lo, hi = ens["ci95"]
        n, a = len(ens["checkpoints"]), 100 * ens["accuracy"]
        click.echo(f"  mean logits of {n} checkpoints, width 1: {a:6.2f} %  ", nl=False)
        click.echo(f"(95 % interval {100 * lo:.1f}-{100 * hi:.1f} %)")
    if classes:
        _print_classes(classes, labels)


def _print_classes(classes: dict[str, dict], labels: list[str]) -> None:
    """Recall per class and path, then where width 1 sent each class's misses."""
    paths = list(classes)
    click.echo(f"\n{'recall per class (%)':<26}" + "".join(f"{w:>7}" for w in paths) + "   width-1 misses")
    for name in labels:
        row = classes[paths[0]][name]
        rec = "".join(
            f"{'-':>7}" if classes[w][name]["recall"] is None else f"{100 * classes[w][name]['recall']:7.1f}"
            for w in paths
        )
        miss = ", ".join(f"{k} {v}" for k, v in list(row["confused_with"].items())[:4])
        click.echo(f"  {name:<12} {row['n']:5d} clips{rec}   {miss}")
