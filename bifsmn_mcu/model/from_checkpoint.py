"""Checkpoint -> deploy dict -> IR, and PyTorch predictions: the only torch users on the deploy side.

``bifsmn_mcu.training`` (and so torch) is imported inside the functions, never at module import,
so ``bifsmn-mcu generate`` and ``simulate`` without a checkpoint never load torch.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .errors import ModelError
from .fold import fold
from .ir import ModelIR


class CheckpointUnavailable(ModelError):
    """torch / the training package is missing, or the checkpoint cannot be read or deployed."""


def _training():
    try:
        from ..training import checkpoint, deploy, evaluation
    except ImportError as e:
        raise CheckpointUnavailable(
            f"reading a checkpoint needs torch (pip install 'bifsmn-mcu[train]'): {e}"
        ) from None
    return checkpoint, deploy, evaluation


def load_checkpoint_model(path: Path | str):
    """(torch model in eval mode, checkpoint dict)."""
    checkpoint, _, _ = _training()
    try:
        return checkpoint.load_model(path)
    except checkpoint.CheckpointError as e:
        raise CheckpointUnavailable(str(e)) from None


def deploy_from_checkpoint(path: Path | str) -> dict:
    checkpoint, deploy, _ = _training()
    model, ckpt = load_checkpoint_model(path)
    try:
        return deploy.deploy_state(model, list(ckpt["labels"]), ckpt.get("feature_config"))
    except deploy.NotDeployable as e:
        raise CheckpointUnavailable(f"{path}: {e}") from None


def export_checkpoint(path: Path | str) -> ModelIR:
    """Checkpoint file -> folded IR (with the checkpoint's path recorded in the header)."""
    ir = fold(deploy_from_checkpoint(path))
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    ir.header["source"] = {"checkpoint": Path(path).name, "checkpoint_sha256": digest}
    return ir.finalize()


def torch_predictions(path: Path | str, feats: np.ndarray, width: str) -> np.ndarray:
    """Top-1 class of the PyTorch model for int16 features (N, 32, 32), evaluated in float64.

    float64 because the eval forward rounds onto the device grid (SPEC §3): in float64 it computes
    the integer model's numbers exactly, float32 arithmetic rounds differently near a grid boundary.
    """
    _, _, evaluation = _training()
    model, _ = load_checkpoint_model(path)
    return evaluation.predict(model.double(), feats, (width,))[width]
