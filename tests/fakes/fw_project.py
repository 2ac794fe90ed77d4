"""Shared by the firmware/validate/QEMU tests: a real generated project, built and run in QEMU.

The model is the shipped one when present, else a random model folded by the real exporter
(``fold(random_deploy_state(seed))``): either way the C is what ``generate`` writes.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from bifsmn_mcu.codegen.generate import generate
from bifsmn_mcu.model.default import default_ir_path
from bifsmn_mcu.model.ir import ModelIR, load_ir, save_ir
from bifsmn_mcu.project.pio import free_port, upload_qemu
from bifsmn_mcu.qemu import stop_qemu

REPO = Path(__file__).resolve().parents[2]
CORE_DIR = Path(os.environ.get("PLATFORMIO_CORE_DIR", REPO / ".pio-core"))


def firmware_model(tmp: Path) -> tuple[ModelIR, Path]:
    """(IR, path of its .npz) for the firmware tests."""
    if default_ir_path().is_file():
        return load_ir(default_ir_path()), default_ir_path()
    from bifsmn_mcu.model.fold import fold
    from bifsmn_mcu.model.random_deploy import random_deploy_state

    ir = fold(random_deploy_state(seed=7))
    path = save_ir(ir, tmp / "model.npz")
    return ir, Path(path)


def generate_project(out: Path, ir: ModelIR, board: str = "qemu-m4", width: str = "1") -> Path:
    generate(ir, width=width, prefix="kws", out_dir=out, board=board)
    return out


@contextmanager
def running_qemu(project: Path, env: str = "qemu-m4"):
    """Builds + uploads ENV into QEMU on a free port; yields (port, pid_file); stops QEMU after."""
    port = free_port()
    pid_file = upload_qemu(project, env, port, CORE_DIR)
    try:
        yield port, pid_file
    finally:
        if pid_file.is_file():
            stop_qemu(pid_file)
