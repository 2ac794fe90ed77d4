"""Training configs (JSON files in ``training/configs/``): loading, defaults, command-line overrides."""

from __future__ import annotations

import copy
import json
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent / "configs"

DEFAULTS: dict = {
    "name": "run",
    "model": {"kind": "student", "act": "dsa", "lpb": True, "weight_scale": True},
    "data": {
        "source": "folder",
        "root": "../shared/data/speech_commands_v0.02_part",
        "dev_fraction": 0.2,
        "extra_train": [],
        "noise": "../shared/data/noise",
        "copies": 8,
        "cache": None,
        "seed": 0,
    },
    "train": {
        "epochs": 30,
        "batch_size": 64,
        "optimizer": "adamw",
        "lr": 1e-3,
        "weight_decay": 1e-4,
        "slow_lr": 0.1,
        "seed": 0,
        "paths": ["1", "1/2", "1/4", "1/8"],
        "path_weights": [1.0, 0.5, 0.25, 0.125],
        "mask": {"p": 0.5, "max_t": 4, "max_f": 4},
        "threads": 1,
        "compile": False,
        "real_weights": False,
        "keep_epochs": 0,
    },
    "distill": {
        "method": "none",
        "teacher": None,
        "weight": 0.01,
        "logit": True,
        "init_from_teacher": True,
        "kd": 0.0,
        "kd_T": 1.0,
        "kd_teachers": [],
    },
}


class ConfigError(ValueError):
    """A config file cannot be used; one-line message."""


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def resolve_config_path(name: str | Path) -> Path:
    """A file path, or the name of a shipped config (``bifsmnv2`` -> training/configs/bifsmnv2.json)."""
    p = Path(name)
    if p.is_file():
        return p
    shipped = CONFIG_DIR / f"{p.name.removesuffix('.json')}.json"
    if shipped.is_file():
        return shipped
    names = ", ".join(sorted(f.stem for f in CONFIG_DIR.glob("*.json")))
    raise ConfigError(f"{name}: no such config file (shipped configs: {names})")


def load_config(name: str | Path) -> dict:
    """Config with defaults filled in; relative data paths are kept as given (resolved from the cwd)."""
    p = resolve_config_path(name)
    try:
        raw = json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise ConfigError(f"{p}: invalid JSON ({e})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: expected a JSON object")
    unknown = set(raw) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"{p}: unknown sections {sorted(unknown)} (allowed: {sorted(DEFAULTS)})")
    cfg = _merge(DEFAULTS, raw)
    cfg.setdefault("name", p.stem)
    if raw.get("name") is None:
        cfg["name"] = p.stem
    return cfg
