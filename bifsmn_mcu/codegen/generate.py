"""``generate``: the model library ``<out>/lib/<prefix>/`` for one width, plus the PlatformIO project.

Everything is written into a temporary folder beside ``out`` and moved into place at the end, so a
failure leaves no half-written output. The library holds the rendered files (``render_model``), the
portable kernels (``firmware/kernels``) and the front end (``firmware/frontend``), and
``<prefix>_model.json`` (sha256, width, labels, memory plan). If ``bifsmn_mcu.project`` is installed
its ``write_project`` adds platformio.ini, the app and the dev-platform around it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..model.ir import ModelIR
from ..resources import firmware_dir
from .cgen import check_identifier
from .errors import CodegenError
from .kernels import DEFAULT_KERNELS, check_kernels
from .render import MemoryPlan, plan_memory, render_model

C_PARTS = ("kernels", "frontend")  # folders of firmware/ copied into the library


@dataclass(frozen=True)
class GenerateResult:
    out_dir: Path
    lib_dir: Path
    files: list[str]
    plan: MemoryPlan
    project: bool  # whether the PlatformIO project was written


def check_board(board: str) -> str:
    try:
        from ..boards import BoardError, get_board
    except ImportError:  # board table not there: accept any name
        return board
    try:
        get_board(board)
    except BoardError as e:
        raise CodegenError(str(e)) from None
    return board


def library_sources() -> list[Path]:
    """The hand-written C the model library needs (kernels + front end, no harnesses)."""
    out = []
    for part in C_PARTS:
        out += sorted((firmware_dir() / part).glob("*.[ch]"))
    return out


def write_model_lib(
    ir: ModelIR, width: str, prefix: str, lib_dir: Path, kernels: str = DEFAULT_KERNELS
) -> list[str]:
    """Render and copy the library files into ``lib_dir`` (created); returns the file names."""
    files = render_model(ir, width, prefix, kernels)
    lib_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (lib_dir / name).write_text(text)
    for src in library_sources():
        shutil.copy2(src, lib_dir / src.name)
    meta = {
        "generator": f"bifsmn-mcu {__version__}",
        "model_sha256": ir.sha256,
        "width": width,
        "prefix": prefix,
        "kernels": kernels,
        "labels": ir.labels,
        "blocks": ir.blocks(width),
        "feature_config": ir.header["feature_config"],
        "memory": plan_memory(ir, width, prefix, kernels).as_dict(),
    }
    (lib_dir / f"{prefix}_model.json").write_text(json.dumps(meta, indent=2) + "\n")
    return sorted(p.name for p in lib_dir.iterdir())


def _check_out(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise CodegenError(f"output path {out_dir} exists and is not a directory")
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CodegenError(f"output path {out_dir}: {parent} is a file")
            break


def _replace(src: Path, dst: Path) -> None:
    """Move ``src`` onto ``dst``, replacing it (a folder goes aside first, then is deleted)."""
    if dst.is_dir() and not dst.is_symlink():
        trash = dst.with_name(f".{dst.name}.old-{os.getpid()}")
        os.replace(dst, trash)
        os.replace(src, dst)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(src, dst)


def _install(tmp: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    for entry in sorted(tmp.iterdir()):
        target = out_dir / entry.name
        if entry.name == "lib" and target.is_dir():
            for lib in sorted(entry.iterdir()):
                _replace(lib, target / lib.name)
        else:
            _replace(entry, target)
    shutil.rmtree(tmp, ignore_errors=True)


def generate(
    ir: ModelIR,
    *,
    width: str = "1",
    prefix: str = "kws",
    out_dir: Path | str = "out",
    board: str = "qemu-m4",
    project: bool = True,
    kernels: str = DEFAULT_KERNELS,
) -> GenerateResult:
    """Write ``<out>/lib/<prefix>/`` (+ the project) atomically; raises CodegenError on bad input."""
    out_dir = Path(out_dir)
    check_identifier(prefix)
    if width not in ir.widths:
        raise CodegenError(f"width {width!r} is not in this model (it has {', '.join(ir.widths)})")
    check_board(board)
    check_kernels(kernels)
    _check_out(out_dir)
    plan = plan_memory(ir, width, prefix, kernels)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    wrote_project = False
    try:
        files = write_model_lib(ir, width, prefix, tmp / "lib" / prefix, kernels)
        if project and importlib.util.find_spec("bifsmn_mcu.project") is not None:
            from ..project import ProjectError, write_project

            try:
                write_project(
                    tmp,
                    board=board,
                    prefix=prefix,
                    model_sha256=ir.sha256,
                    width=width,
                    labels=ir.labels,
                    feature_config=ir.header["feature_config"],
                )
            except ProjectError as e:
                raise CodegenError(str(e)) from None
            wrote_project = True
        _install(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return GenerateResult(out_dir, out_dir / "lib" / prefix, files, plan, wrote_project)
