"""Opt-in ``torch.compile`` of the training step, with the toolchain it needs checked up front.

Inductor turns the student's many small element-wise ops (device-grid rounding, DSA, LPB, PReLU)
into fused C++ loops; it compiles them with ``$CXX`` (default ``g++``) against the Python headers.
Only the training forward/backward is compiled: BN re-estimation, dev evaluation and export keep
running the eager model, so every reported accuracy is still the integer model's.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importable without torch (bifsmn-mcu doctor uses compile_toolchain_problem)
    from torch import nn


class CompileUnavailable(ValueError):
    """torch.compile cannot run here; one-line message with the fix."""


FIX = "apt-get install g++ python3-dev, or set CXX"


def compile_toolchain_problem() -> str | None:
    """What inductor lacks to build its CPU kernels here (``g++ not found``, ``.../Python.h
    missing``), or None when it has everything."""
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx) is None:
        return f"{cxx} not found"
    header = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not header.is_file():
        return f"{header} missing"
    return None


def compile_for_training(net: nn.Module) -> nn.Module:
    """``torch.compile(net)`` after checking the toolchain (raises CompileUnavailable)."""
    import torch

    problem = compile_toolchain_problem()
    if problem:
        raise CompileUnavailable(unavailable_message(problem))
    return torch.compile(net)


def unavailable_message(problem: str) -> str:
    return f"--compile needs a C++ compiler and the Python headers: {problem} ({FIX})"
