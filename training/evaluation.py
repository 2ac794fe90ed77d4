"""Accuracy of every path of a model on int16 features."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def eval_paths(model: nn.Module) -> tuple[str, ...]:
    """The paths a model can run: its widths (student) or ``("1",)`` (teacher)."""
    return tuple(getattr(model, "widths", ("1",)))


@torch.no_grad()
def predict(model: nn.Module, feats: np.ndarray, paths: tuple[str, ...], batch: int = 256) -> dict:
    """Predicted class per path: ``{width: int64 (N,)}``; restores the model's train/eval mode."""
    was = model.training
    model.eval()
    dtype = next(model.parameters()).dtype
    out = {w: [] for w in paths}
    for i in range(0, len(feats), batch):
        x = torch.from_numpy(np.asarray(feats[i : i + batch], dtype=np.float64)).to(dtype)
        res = model(x, paths)
        for w in paths:
            out[w].append(res[w]["logits"].argmax(1).numpy())
    model.train(was)
    return {w: np.concatenate(v) if v else np.zeros(0, np.int64) for w, v in out.items()}


def accuracy_per_path(
    model: nn.Module, feats: np.ndarray, labels: np.ndarray, paths: tuple[str, ...]
) -> dict:
    """``{width: top-1 accuracy}`` rounded to 5 decimals."""
    return accuracy_from_counts(correct_per_path(model, feats, labels, paths), len(labels))


def accuracy_from_counts(correct: dict, n: int) -> dict:
    """``{width: correct / n}`` rounded to 5 decimals (0.0 for no clips)."""
    return {w: round(c / max(n, 1), 5) for w, c in correct.items()}


def correct_per_path(model: nn.Module, feats: np.ndarray, labels: np.ndarray, paths: tuple[str, ...]) -> dict:
    """``{width: number of clips classified correctly}``."""
    pred = predict(model, feats, paths)
    return {w: int((pred[w] == labels).sum()) for w in paths}


def per_class(pred: np.ndarray, labels: np.ndarray, names: list[str]) -> dict[str, dict]:
    """``{class: {"n", "recall", "confused_with": {class: clips, most first}}}`` of one path's predictions."""
    from bifsmn_mcu.simulate.report import confusion, per_class_recall

    cm = confusion(labels, pred, len(names))
    out = per_class_recall(cm, names)
    for i, name in enumerate(names):
        order = np.argsort(-cm[i], kind="stable")
        out[name]["confused_with"] = {names[j]: int(cm[i, j]) for j in order if j != i and cm[i, j]}
    return out


def accuracy_interval(correct: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a top-1 accuracy measured as ``correct`` of ``n`` clips: what the
    accuracy on other speakers of the same population may be (787 dev clips at 84 %: +-2.6 points)."""
    from scipy.stats import binomtest

    ci = binomtest(correct, n).proportion_ci(confidence_level=confidence, method="wilson")
    return round(float(ci.low), 5), round(float(ci.high), 5)
