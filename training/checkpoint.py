"""Checkpoints: atomic save, safe load (``weights_only``), clear one-line errors.

A checkpoint is a dict: ``format``, ``version``, ``model_spec`` (what ``build_model`` takes),
``labels``, ``feature_config``, ``feat_mean`` (int), ``feat_std``, ``state_dict``, ``epoch``,
``metrics`` (dev accuracy per path of that epoch), ``config``; training checkpoints add
``optimizer``, ``scheduler``, ``rng`` and ``best`` (``strip`` removes them for shipping).
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from .models import build_model

FORMAT = "bifsmn-mcu-checkpoint"
VERSION = 1
TRAINING_KEYS = ("optimizer", "scheduler", "rng", "best")


class CheckpointError(ValueError):
    """A checkpoint file cannot be used; the message is one line naming the file and the reason."""


def save_checkpoint(ckpt: dict, path: str | Path) -> Path:
    """Write atomically: a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save({"format": FORMAT, "version": VERSION, **ckpt}, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: str | Path) -> dict:
    """The checkpoint dict; :class:`CheckpointError` for a missing, corrupt or foreign file."""
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"{p}: no such checkpoint file")
    try:
        ckpt = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as e:  # torch.load raises many types for junk bytes (IndexError, UnpicklingError, ...)
        reason = str(e).strip().splitlines()[0][:120] if str(e).strip() else type(e).__name__
        raise CheckpointError(
            f"{p}: not a readable checkpoint (corrupt or truncated file: {reason})"
        ) from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise CheckpointError(f"{p}: not a bifsmn-mcu checkpoint (no '{FORMAT}' format tag)")
    if ckpt.get("version") != VERSION:
        raise CheckpointError(
            f"{p}: checkpoint version {ckpt.get('version')} is not supported (need {VERSION})"
        )
    for key in ("model_spec", "labels", "state_dict", "feat_mean", "feat_std"):
        if key not in ckpt:
            raise CheckpointError(f"{p}: checkpoint lacks '{key}'")
    return ckpt


def model_from_checkpoint(ckpt: dict, path: str | Path = "checkpoint") -> nn.Module:
    """Build the model a checkpoint describes and load its weights (eval mode)."""
    try:
        model = build_model(ckpt["model_spec"], len(ckpt["labels"]))
    except (ValueError, TypeError) as e:
        raise CheckpointError(f"{path}: bad model_spec {ckpt['model_spec']}: {e}") from None
    result = _load_state(model, ckpt["state_dict"], path)
    model.norm.set(int(ckpt["feat_mean"]), float(ckpt["feat_std"]))
    model.eval()
    return result


def _load_state(model: nn.Module, state: dict, path) -> nn.Module:
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    shapes = [k for k in own if k in state and tuple(own[k].shape) != tuple(state[k].shape)]
    if missing or extra or shapes:
        what = []
        if missing:
            what.append(f"{len(missing)} missing (e.g. {missing[0]})")
        if extra:
            what.append(f"{len(extra)} unexpected (e.g. {extra[0]})")
        if shapes:
            k = shapes[0]
            what.append(
                f"{len(shapes)} of another shape (e.g. {k}: {tuple(state[k].shape)} vs {tuple(own[k].shape)})"
            )
        raise CheckpointError(f"{path}: weights do not match the model ({'; '.join(what)})")
    model.load_state_dict(state)
    return model


def load_model(path: str | Path) -> tuple[nn.Module, dict]:
    """(model in eval mode, checkpoint dict) from a file."""
    ckpt = read_checkpoint(path)
    return model_from_checkpoint(ckpt, path), ckpt


def strip(ckpt: dict) -> dict:
    """The checkpoint without optimizer/scheduler/RNG state (what ships)."""
    return {k: v for k, v in ckpt.items() if k not in TRAINING_KEYS}
