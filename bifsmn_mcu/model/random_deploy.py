"""A random deploy dict that follows SPEC §4, with scales chosen so every layer stays in range.

Used by tests (and demos) where no trained checkpoint is needed: the numbers are random but the
activations keep realistic magnitudes (BN scales normalise each layer to about unit spread), so
bit planes, thresholds and residual sums exercise the same arithmetic as a trained model.
"""

from __future__ import annotations

import numpy as np

from ..frontend.config import DEFAULT_FEATURES
from . import WIDTHS

LABELS = ["_unknown_", "_silence_", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
PATHS = {"1": list(range(8)), "1/2": [1, 3, 5, 7], "1/4": [3, 7], "1/8": [7]}


def _per(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    return rng.uniform(lo, hi, n)


def _bn(rng: np.random.Generator, n: int, gain: float, neg_frac: float = 0.1) -> dict:
    scale = gain * rng.uniform(0.6, 1.4, n)
    scale *= np.where(rng.random(n) < neg_frac, -1.0, 1.0)
    return {"bn_scale": scale, "bn_bias": rng.normal(0.0, 0.3, n), "prelu": _per(rng, n, -0.3, 0.6)}


def _binary(rng: np.random.Generator, shape: tuple[int, ...], n_in: int) -> dict:
    w = np.where(rng.random(shape) < 0.5, -1, 1).astype(np.int8)
    return {
        "t1": rng.normal(0.0, 0.3, n_in),
        "t2": rng.normal(0.0, 0.3, n_in),
        "w_sign": w,
        "w_scale": rng.uniform(0.02, 0.2, shape[0]),
    }


def _gain(layer: dict, fan_in: int) -> float:
    """BN gain that maps a binary dot over ``fan_in`` (two planes, s2 ~ 0.6) to unit spread."""
    return 1.0 / (float(np.mean(layer["w_scale"])) * np.sqrt(fan_in) * 1.2)


def random_deploy_state(seed: int = 0, n_blocks: int = 8) -> dict:
    """A deploy dict (SPEC §4) with random weights and calibrated magnitudes."""
    rng = np.random.default_rng(seed)
    n_cls = len(LABELS)
    q1 = rng.integers(-127, 128, (16, 1, 5, 5))
    s1 = rng.uniform(0.5, 1.5, 16) / (127 * 5)
    conv1 = {"w": q1 * s1[:, None, None, None], "w_scale": s1, **_bn(rng, 16, 1.0)}
    conv2 = _binary(rng, (32, 16, 5, 5), 16)
    conv2.update(_bn(rng, 32, _gain(conv2, 400)))
    proj = _binary(rng, (128, 256), 256)
    proj["bias"] = rng.normal(0.0, 0.2, 128)
    proj["prelu"] = _per(rng, 128, -0.3, 0.6)
    proj["w_scale"] = proj["w_scale"] * (1.0 / (np.mean(proj["w_scale"]) * 16 * 1.2))
    blocks = []
    for i in range(n_blocks):
        mem = _binary(rng, (128, 5), 128)
        mem.update(_bn(rng, 128, 0.5 * _gain(mem, 5)))
        fc1 = _binary(rng, (256, 128), 128)
        fc1.update(_bn(rng, 256, _gain(fc1, 128)))
        fc2 = _binary(rng, (128, 256), 256)
        g = 0.5 * _gain(fc2, 256)
        fc2["paths"] = {w: _bn(rng, 128, g) for w, blks in PATHS.items() if i in blks}
        blocks.append({"mem": mem, "fc1": fc1, "fc2": fc2})
    qc = rng.integers(-127, 128, (n_cls, 1024))
    sc = rng.uniform(0.5, 1.5, n_cls) / (127 * 32)
    classifier = {"w": qc * sc[:, None], "w_scale": sc, "bias": rng.normal(0.0, 0.1, n_cls)}
    return {
        "labels": list(LABELS),
        "feature_config": DEFAULT_FEATURES.to_dict(),
        "feat_mean": int(rng.integers(7000, 9000)),
        "feat_std": float(rng.uniform(1500.0, 2500.0)),
        "paths": {w: list(PATHS[w]) for w in WIDTHS},
        "conv1": conv1,
        "conv2": conv2,
        "proj": proj,
        "blocks": blocks,
        "classifier": classifier,
    }


def random_features(seed: int, n: int) -> np.ndarray:
    """Random int16 features in the front end's range (silence ~3840 .. speech ~16000)."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(4000, 12000, (n, 1, 1))
    return np.clip(base + rng.normal(0, 1500, (n, 32, 32)), 3840, 16000).astype(np.int16)
