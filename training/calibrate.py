"""BatchNorm re-estimation for thinnable students (shared BN, per-path final BN).

In training every batch runs all paths, so a block's shared BN (mem, fc1) keeps running statistics of a
mixture of the paths' inputs (mostly the last path run), which matches no path at inference. This
re-estimates them on clean training features: first the shared and front-end BNs with the full path "1",
then, with those frozen, each thin path's own final BNs (``fc2_bn[w]``) on that path. Exact cumulative
averages (momentum None); training itself (batch statistics) is unaffected.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .models.student import BinaryFSMN, path_key


def _reset(bns: list[nn.Module]) -> None:
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None


@torch.no_grad()
def calibrate_bn(model: BinaryFSMN, feats: np.ndarray, batch: int = 256) -> BinaryFSMN:
    """Re-estimate the student's BN statistics on int16 features ``(N, 32, 32)``; returns the model (eval)."""
    if not isinstance(model, BinaryFSMN):
        return model
    widths = model.widths
    first = widths[0]
    own = {w: [blk.fc2_bn[path_key(w)] for blk in model.blocks if path_key(w) in blk.fc2_bn] for w in widths}
    all_bn = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    thin_bn = {id(m) for w in widths[1:] for m in own[w]}
    saved = {id(m): m.momentum for m in all_bn}
    dtype = next(model.parameters()).dtype

    def run(width: str) -> None:
        for i in range(0, len(feats), batch):
            x = torch.from_numpy(np.asarray(feats[i : i + batch], dtype=np.float64)).to(dtype)
            if len(x) > 1:
                model(x, (width,))

    model.eval()
    stage1 = [m for m in all_bn if id(m) not in thin_bn]
    _reset(stage1)
    for m in stage1:
        m.train()
    run(first)
    model.eval()
    for w in widths[1:]:
        _reset(own[w])
        for m in own[w]:
            m.train()
        run(w)
        model.eval()
    for m in all_bn:
        m.momentum = saved[id(m)]
    return model


def trainer_calibration_set(model: nn.Module, train_feats: np.ndarray, tr: dict) -> np.ndarray | None:
    """The clips the trainer re-estimates BN on (``train.bn_calibration``, default 1,024, seeded by
    ``train.seed``), or None when it does not (a teacher, a one-path student, or 0)."""
    n = int(tr.get("bn_calibration", 1024))
    if n <= 0 or len(getattr(model, "widths", ())) <= 1:
        return None
    return calibration_set(train_feats, n, int(tr["seed"]))


def calibration_set(train_feats: np.ndarray, n: int = 2048, seed: int = 0) -> np.ndarray:
    """Clean features (copy 0) of ``n`` training clips in a fixed random order."""
    rng = np.random.default_rng([seed, 12345])
    idx = rng.permutation(len(train_feats))[:n]
    return train_feats[np.sort(idx), 0]
