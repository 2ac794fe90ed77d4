"""Where the shipped non-Python files live (templates, firmware C sources, pretrained model).

In a source checkout they are the top-level ``templates/`` and ``firmware/`` folders; in an
installed wheel they are shipped inside the package. Callers never build these paths themselves.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError(f"package data folder missing; looked in: {', '.join(map(str, candidates))}")


def templates_dir() -> Path:
    """Jinja2 templates (model sources, app main, platformio.ini)."""
    return _first_existing(_PKG / "templates", _PKG.parent / "templates")


def firmware_dir() -> Path:
    """Hand-written C: kernels, front end, protocol, board support, QEMU dev-platform."""
    return _first_existing(_PKG / "firmware", _PKG.parent / "firmware")


def pretrained_dir() -> Path:
    """The shipped default model (checkpoint, IR, model card)."""
    return _PKG / "pretrained"


def samples_dir() -> Path:
    """Sample utterances shipped with the package (synthetic speech made by `data synth`)."""
    return _PKG / "samples"
