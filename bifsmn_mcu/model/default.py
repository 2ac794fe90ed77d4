"""Where the shipped model lives, and how commands pick the model they were given."""

from __future__ import annotations

from pathlib import Path

from ..resources import pretrained_dir
from .errors import IRError
from .ir import ModelIR, load_ir

DEFAULT_IR = "bifsmnv2_default.npz"
DEFAULT_CHECKPOINT = "bifsmnv2_default.pt"


def default_ir_path() -> Path:
    return pretrained_dir() / DEFAULT_IR


def default_checkpoint_path() -> Path:
    return pretrained_dir() / DEFAULT_CHECKPOINT


def resolve_model(path: Path | str | None) -> tuple[ModelIR, Path]:
    """Load ``path`` or, when None, the shipped model; IRError with one line otherwise."""
    if path is None:
        p = default_ir_path()
        if not p.is_file():
            raise IRError(f"no shipped model IR at {p}; pass --model MODEL.npz (made by `bifsmn-mcu export`)")
    else:
        p = Path(path)
    return load_ir(p), p


def companion_checkpoint(ir_path: Path, ir: ModelIR) -> Path | None:
    """The checkpoint next to an IR (same stem, or named in its header), or the shipped one."""
    src = ir.header.get("source", {}).get("checkpoint")
    for cand in [ir_path.with_suffix(".pt")] + ([ir_path.with_name(src)] if src else []):
        if cand.is_file():
            return cand
    if ir_path.resolve() == default_ir_path().resolve() and default_checkpoint_path().is_file():
        return default_checkpoint_path()
    return None
