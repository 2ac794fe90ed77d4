"""Compile-and-size check of a generated project for a real board without its framework.

The frameworks (Arduino cores, STM32Cube) cannot be downloaded here, so this builds what the
project owns -- model library, kernels, front end, protocol, app, cycle counter -- with
``arm-none-eabi-gcc`` and the board's core flags, links it into the board's flash and RAM
sizes (the CMSDK UART seam stands in for the framework's serial driver), and reports the sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..boards import Board, get_board
from ..toolchain import compile_arm
from ..validate.elf_size import elf_memory
from .board_json import board_defines

STAND_IN_BSP = "BIFSMN_BSP_CMSDK"
FRAMEWORK_BSPS = ("BIFSMN_BSP_ARDUINO", "BIFSMN_BSP_STM32HAL")


@dataclass(frozen=True)
class BoardFit:
    board: str
    elf: Path
    flash_bytes: int
    ram_bytes: int
    flash_limit: int
    ram_limit: int

    @property
    def fits(self) -> bool:
        return self.flash_bytes <= self.flash_limit and self.ram_bytes <= self.ram_limit


def _memory_ld(board: Board, out: Path) -> Path:
    out.write_text(
        f"/* {board.name}: flash {board.flash_bytes} bytes, RAM {board.ram_bytes} bytes */\n"
        "MEMORY\n{\n"
        f"    FLASH (rx)  : ORIGIN = 0x00000000, LENGTH = {board.flash_bytes}\n"
        f"    RAM   (rwx) : ORIGIN = 0x20000000, LENGTH = {board.ram_bytes}\n"
        "}\nINCLUDE sections.ld\n"
    )
    return out


def check_board_fit(project: Path, board_key: str, prefix: str, work: Path) -> BoardFit:
    """Build ``project`` (written by write_project) for ``board_key``; ToolchainError if it does
    not compile or does not fit (the linker reports the overflowing region)."""
    board = get_board(board_key)
    if board.cpu is None:
        raise ValueError(f"{board_key} is not a Cortex-M board")
    project = Path(project)
    work.mkdir(parents=True, exist_ok=True)
    defines: dict[str, object] = {}
    for d in board_defines(board):
        name, value = d if isinstance(d, tuple) else (d, None)
        if name in FRAMEWORK_BSPS:
            name = STAND_IN_BSP
        elif name == "BIFSMN_COUNTER_MICROS":  # Arduino micros() lives in the framework
            name = "BIFSMN_COUNTER_SYSTICK"
        defines[name] = value
    lib = project / "lib" / prefix
    sources = sorted((project / "src").glob("*.c")) + sorted(lib.glob("*.c"))
    ld = _memory_ld(board, work / f"{board.key}.ld")
    elf = compile_arm(
        sources,
        work / f"{board.key}.elf",
        cpu=board.cpu,
        include_dirs=[project / "include", lib],
        defines=defines,
        link="nano",
        extra_flags=["-nostartfiles", f"-L{project / 'ld'}", "-T", str(ld)],
    )
    flash, ram = elf_memory(elf)
    return BoardFit(board.key, elf, flash, ram, board.flash_bytes, board.ram_bytes)
