"""``write_project``: the PlatformIO project around a generated model library.

Layout written into ``out_dir`` (the model library ``lib/<prefix>/`` is written by ``generate``):

    platformio.ini          an env per board of the table; default_envs = the board asked for
    src/*.c, src/*.cpp      app, protocol, board support, QEMU start-up (from firmware/)
    include/*.h             their headers + bifsmn_app_config.h (binds the app to <prefix>)
    ld/*.ld                 linker scripts of the QEMU machines
    platforms/bifsmn/       the local dev-platform (QEMU + host), board JSONs from the table
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import __version__
from ..boards import BoardError, default_board, get_board, load_boards
from ..codegen.cgen import check_prefix
from ..codegen.errors import CodegenError
from ..codegen.render import banner, copy_source
from ..resources import firmware_dir, templates_dir
from .app_config import find_model_header, render_app_config
from .board_json import board_defines, render_board_jsons

FIRMWARE_PARTS = ("app", "protocol", "bsp", "boards")
PLATFORM_DIR = Path("platforms") / "bifsmn"
DEFAULT_QEMU_PORT = 4321  # the emulated UART's TCP port when `pio run -t upload` gets no --upload-port


class ProjectError(ValueError):
    """Bad arguments to write_project (unknown board, bad prefix)."""


def _flag(define: Any) -> str:
    if isinstance(define, tuple):
        return f"-D{define[0]}={define[1]}"
    return f"-D{define}"


def _envs() -> list[dict]:
    envs = []
    for b in load_boards().values():
        envs.append(
            {
                "key": b.key,
                "name": b.name,
                "platform": PLATFORM_DIR.as_posix() if b.is_local else b.platform,
                "board": b.board,
                "framework": b.framework,
                "qemu": b.is_qemu,
                # local boards take their defines from the board JSON; real boards from build_flags
                "build_flags": "" if b.is_local else " ".join(_flag(d) for d in board_defines(b)),
            }
        )
    return envs


def render_platformio_ini(model_sha256: str, default_env: str | None = None) -> str:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    return env.get_template("platformio.ini.j2").render(
        version=__version__,
        model_sha256=model_sha256,
        default_env=default_env or default_board(),
        envs=_envs(),
        qemu_port=DEFAULT_QEMU_PORT,
    )


def copy_platform(dest: Path, model_sha256: str) -> Path:
    """Copy the dev-platform to ``dest`` and (re)write its board JSONs from the table, stamped."""
    src = firmware_dir() / "platform"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (dest / "boards").mkdir(exist_ok=True)
    stamp = {"generated_by": f"bifsmn-mcu {__version__}", "model_sha256": model_sha256}
    for name, text in render_board_jsons(stamp).items():
        (dest / "boards" / name).write_text(text)
    return dest


def copy_firmware_sources(out_dir: Path, head: str) -> None:
    """C sources to ``src/``, headers to ``include/``, linker scripts to ``ld/``, each with ``head``
    (the generated-file banner) first."""
    fw = firmware_dir()
    where = {".c": "src", ".cpp": "src", ".h": "include", ".ld": "ld"}
    for sub in set(where.values()):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    for part in FIRMWARE_PARTS:
        for f in sorted((fw / part).iterdir()):
            if f.suffix in where:
                copy_source(f, out_dir / where[f.suffix] / f.name, head)


def write_project(
    out_dir: Path,
    *,
    board: str,
    prefix: str,
    model_sha256: str,
    width: str,
    labels: Sequence[str],
    feature_config: Mapping[str, Any] | None,
) -> None:
    """Write platformio.ini, src/, include/, ld/ and platforms/bifsmn/ around ``lib/<prefix>/``.

    ``board`` must be a key of the board table; every board gets an env (``pio run -e KEY``), and
    ``default_envs`` is ``board``, so a bare ``pio run`` builds the board asked for.
    """
    out_dir = Path(out_dir)
    try:
        b = get_board(board)
    except BoardError as err:
        raise ProjectError(str(err)) from err
    try:
        check_prefix(prefix)
    except CodegenError as err:
        raise ProjectError(str(err)) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_firmware_sources(out_dir, banner(model_sha256, width, prefix))
    header = find_model_header(out_dir / "lib" / prefix, prefix)
    (out_dir / "include" / "bifsmn_app_config.h").write_text(
        render_app_config(
            prefix=prefix,
            header=header,
            model_sha256=model_sha256,
            width=width,
            labels=labels,
            feature_config=feature_config,
        )
    )
    (out_dir / "platformio.ini").write_text(render_platformio_ini(model_sha256, b.key))
    copy_platform(out_dir / PLATFORM_DIR, model_sha256)
