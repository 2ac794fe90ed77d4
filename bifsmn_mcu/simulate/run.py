"""``simulate``: the generated C on the host over many clips, compared with every reference.

PCM input goes through the C front end (its features are checked against the numpy front end),
then the C network; the numpy integer reference runs on the numpy features, and its logits must
equal the C logits exactly. With a checkpoint (and torch), PyTorch top-1 agreement is added.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..codegen.render import plan_memory
from ..frontend.config import FeatureConfig
from ..frontend.reference import features as ref_features
from ..model import intref
from ..model.ir import ModelIR
from .dataset import Inputs
from .host import HostModel
from .report import confusion, per_class_recall


def reference_features(
    pcm: np.ndarray, cfg: FeatureConfig, batch: int = 256, progress: bool = True
) -> np.ndarray:
    from tqdm import tqdm

    starts = range(0, len(pcm), batch)
    if progress and len(pcm) > batch:
        starts = tqdm(starts, desc="numpy front end", unit="batch", leave=False)
    parts = [ref_features(pcm[i : i + batch], cfg) for i in starts]
    return np.concatenate(parts) if parts else np.zeros((0, *cfg.feature_shape), np.int16)


def simulate(
    ir: ModelIR,
    width: str,
    inputs: Inputs,
    *,
    mode: str = "pcm",
    checkpoint: Path | None = None,
    workdir: Path | None = None,
    sanitize: bool = False,
) -> tuple[dict, np.ndarray | None]:
    cfg = FeatureConfig.from_dict(ir.header["feature_config"])
    feats = reference_features(inputs.pcm, cfg)
    with HostModel.build(ir, width, workdir=workdir, sanitize=sanitize) as hm:
        if mode == "pcm":
            c_feats, c_logits = hm.infer_pcm(inputs.pcm)
            fe_same = int((c_feats == feats).reshape(len(feats), -1).all(axis=1).sum())
        else:
            c_logits = hm.infer_features(feats)
            fe_same = None
    r_logits = intref.logits(ir, feats, width, progress=len(feats) > 256)
    same = (c_logits == r_logits).all(axis=1)
    pred = c_logits.argmax(axis=1)
    rep: dict = {
        "width": width,
        "model_sha256": ir.sha256,
        "n": int(len(pred)),
        "input": mode,
        "labels": ir.labels,
        "intref_identical": int(same.sum()),
        "intref_mismatch": [inputs.names[i] for i in np.nonzero(~same)[0][:20]],
        "frontend_identical": fe_same,
        "memory": plan_memory(ir, width).as_dict(),
        "accuracy": None,
        "per_class": None,
        "predictions": pred.tolist(),
    }
    cm = None
    if inputs.labels is not None and len(pred):
        cm = confusion(inputs.labels, pred, len(ir.labels))
        rep["accuracy"] = round(float((pred == inputs.labels).mean()), 5)
        rep["per_class"] = per_class_recall(cm, ir.labels)
        rep["confusion"] = cm.tolist()
    if checkpoint is not None:
        from ..model.from_checkpoint import torch_predictions

        tp = torch_predictions(checkpoint, feats, width)
        rep["torch"] = {
            "checkpoint": str(checkpoint),
            "agreement": round(float((tp == pred).mean()), 5),
            "accuracy": None if inputs.labels is None else round(float((tp == inputs.labels).mean()), 5),
        }
        if rep["accuracy"] is not None:
            diff = 100 * (rep["accuracy"] - rep["torch"]["accuracy"])
            rep["torch"]["accuracy_difference_points"] = round(diff, 3)
    return rep, cm
