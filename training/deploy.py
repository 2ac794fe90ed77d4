"""``deploy_state``: a trained student -> the framework-free deploy dict of SPEC.md section 4.

numpy float64 arrays, BN (eval statistics) folded to ``y = bn_scale * z + bn_bias``. The export
engineer builds the integer model from this dict; ``bifsmn_mcu.model.float_reference`` runs it in float64.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .models.quant import fake_int8_per_channel, sign_pm
from .models.student import PATH_BLOCKS, WIDTHS, BinaryFSMN, path_key


class NotDeployable(ValueError):
    """The model is not a BiFSMNv2 student with the deploy semantics of SPEC section 3."""


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().to(torch.float64).numpy().copy()


def _bn(bn: nn.BatchNorm1d | nn.BatchNorm2d) -> dict:
    scale = bn.weight.detach().double() / torch.sqrt(bn.running_var.double() + bn.eps)
    bias = bn.bias.detach().double() - bn.running_mean.double() * scale
    return {"bn_scale": _np(scale), "bn_bias": _np(bias)}


def _binary(layer) -> dict:
    w = layer.weight.detach()
    w_sign = sign_pm(w).to(torch.int8).numpy()
    w_scale = _np(w.double().abs().reshape(w.shape[0], -1).mean(dim=1))
    return {"t1": _np(layer.binact.t1), "t2": _np(layer.binact.t2), "w_sign": w_sign, "w_scale": w_scale}


def _int8(weight: torch.Tensor) -> dict:
    w, scale = fake_int8_per_channel(weight.detach().double())
    return {"w": _np(w), "w_scale": _np(scale)}


def deploy_state(
    model: BinaryFSMN,
    labels: list[str],
    feature_config: dict | None = None,
    widths: tuple[str, ...] | None = None,
) -> dict:
    """Deploy dict of SPEC section 4 for ``widths`` (default: every width the model has)."""
    if not isinstance(model, BinaryFSMN):
        raise NotDeployable(f"only the binary student deploys, got a {type(model).__name__}")
    opts = model.binopts
    if opts["act"] != "dsa" or not opts["weight_scale"]:
        raise NotDeployable(f"deploy needs dual-scale activations and scaled 1-bit weights, model has {opts}")
    widths = tuple(model.widths if widths is None else widths)
    for w in widths:
        if w not in model.widths:
            raise NotDeployable(f"width {w!r} not in the model's widths {model.widths}")
    if feature_config is None:
        from bifsmn_mcu.frontend import DEFAULT_FEATURES

        feature_config = DEFAULT_FEATURES.to_dict()
    if len(labels) != model.classifier.out_features:
        raise NotDeployable(f"{len(labels)} labels for {model.classifier.out_features} classes")

    def prelu(m: nn.PReLU) -> dict:
        return {"prelu": _np(m.weight)}

    conv2 = {**_binary(model.conv2), **_bn(model.bn2), **prelu(model.prelu2)}
    conv2["w_sign"] = conv2["w_sign"].reshape(32, 16, 5, 5)
    proj = {**_binary(model.proj), "bias": _np(model.proj.bias), **prelu(model.prelu_proj)}
    proj["w_sign"] = proj["w_sign"].reshape(128, 256)
    blocks = []
    for i, blk in enumerate(model.blocks):
        mem = {**_binary(blk.mem), **_bn(blk.mem_bn), **prelu(blk.mem_act)}
        mem["w_sign"] = mem["w_sign"].reshape(128, 5)
        fc1 = {**_binary(blk.fc1), **_bn(blk.fc1_bn), **prelu(blk.fc1_act)}
        fc1["w_sign"] = fc1["w_sign"].reshape(256, 128)
        fc2 = _binary(blk.fc2)
        fc2["w_sign"] = fc2["w_sign"].reshape(128, 256)
        fc2["paths"] = {
            w: {**_bn(blk.fc2_bn[path_key(w)]), **prelu(blk.fc2_act[path_key(w)])}
            for w in widths
            if i in PATH_BLOCKS[w]
        }
        blocks.append({"mem": mem, "fc1": fc1, "fc2": fc2})
    return {
        "labels": list(labels),
        "feature_config": dict(feature_config),
        "feat_mean": int(round(float(model.norm.feat_mean))),
        "feat_std": float(model.norm.feat_std),
        "paths": {w: list(PATH_BLOCKS[w]) for w in WIDTHS if w in widths},
        "conv1": {**_int8(model.conv1.weight), **_bn(model.bn1), **prelu(model.prelu1)},
        "conv2": conv2,
        "proj": proj,
        "blocks": blocks,
        "classifier": {**_int8(model.classifier.weight), "bias": _np(model.classifier.bias)},
    }


def deploy_state_from_file(path, widths: tuple[str, ...] | None = None) -> dict:
    """``deploy_state`` of a checkpoint file (labels, feature config and normalisation from the file)."""
    from .checkpoint import load_model

    model, ck = load_model(path)
    return deploy_state(model, list(ck["labels"]), ck.get("feature_config") or None, widths)
