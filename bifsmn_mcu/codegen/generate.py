"""``generate``: the model library ``<out>/lib/<prefix>/`` (one or more widths), plus the PlatformIO project.

The library holds the rendered files (``render_model``), the portable kernels (``firmware/kernels``)
and the front end (``firmware/frontend``), and ``<prefix>_model.json`` (sha256, width, labels, memory
plan); ``bifsmn_mcu.project.write_project`` adds platformio.ini, the app and the dev-platform around
it. Everything is written into a work folder on OUT's filesystem and installed with the manifest
rules of ``install`` (never over user files or edits unless ``force``; all or nothing).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..boards import BoardError, get_board
from ..model.ir import ModelIR
from ..resources import firmware_dir
from .cgen import check_prefix
from .errors import CodegenError
from .install import MANIFEST, TMP_PREFIX, check_existing, install, owned_root, write_manifest
from .kernels import DEFAULT_KERNELS, check_kernels
from .render import MemoryPlan, banner, copy_source, plan_memory, render_model
from .widths import build_widths, embedded_blocks, width_spec

# top-level entries of OUT that write_project writes (beside lib/<prefix>/)
PROJECT_ENTRIES = ("include", "ld", "platformio.ini", "platforms", "src")

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
    widths = build_widths(ir, width)
    lib_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (lib_dir / name).write_text(text)
    head = banner(ir.sha256, width, prefix)
    for src in library_sources():
        copy_source(src, lib_dir / src.name, head)
    meta = {
        "generator": f"bifsmn-mcu {__version__}",
        "model_sha256": ir.sha256,
        "width": width,
        "widths": list(widths),
        "prefix": prefix,
        "kernels": kernels,
        "labels": ir.labels,
        "blocks": embedded_blocks(ir, widths),
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


def generate(
    ir: ModelIR,
    *,
    width: str = "1",
    prefix: str = "kws",
    out_dir: Path | str = "out",
    board: str = "qemu-m4",
    project: bool = True,
    kernels: str = DEFAULT_KERNELS,
    force: bool = False,
) -> GenerateResult:
    """Write ``<out>/lib/<prefix>/`` (+ the project) atomically; raises CodegenError on bad input.

    ``width``: one thin path, or several switched at run time (``"1,1/8"``, ``"all"``; first = boot).
    Into an existing OUT only over the unmodified output of a previous run (see ``check_existing``),
    unless ``force``.
    """
    out_dir = Path(out_dir)
    check_prefix(prefix)
    width = width_spec(build_widths(ir, width))  # canonical: "1,1/8"; "all" spelled out
    check_board(board)
    check_kernels(kernels)
    _check_out(out_dir)
    plan = plan_memory(ir, width, prefix, kernels)
    roots = {f"lib/{prefix}", MANIFEST} | (set(PROJECT_ENTRIES) if project else set())
    stale = check_existing(out_dir, roots, force)  # before anything is written
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # the work folder is on OUT's filesystem (OUT may be a mount point): inside OUT, or beside a new OUT
    if out_dir.is_dir():
        work = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out_dir))
    else:
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{TMP_PREFIX}", dir=out_dir.parent))
    tmp = work / "new"
    tmp.mkdir()  # umask mode: a new OUT is this folder
    wrote_project = False
    keep_work = False
    try:
        files = write_model_lib(ir, width, prefix, tmp / "lib" / prefix, kernels)
        if project:
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
        manifest = write_manifest(tmp, ir, width, prefix, board)
        extra = {owned_root(rel) for rel in manifest["files"]} - roots
        if extra:  # the writers and PROJECT_ENTRIES disagree: a bug here, not the user's problem
            raise CodegenError(f"internal error: generate wrote unexpected entries {sorted(extra)}")
        entries = sorted(roots & {owned_root(rel) for rel in manifest["files"]}) + [MANIFEST]
        try:
            install(work, out_dir, entries, stale)
        except CodegenError:
            keep_work = True
            raise
    finally:
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    return GenerateResult(out_dir, out_dir / "lib" / prefix, files, plan, wrote_project)
