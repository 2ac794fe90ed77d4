"""The board table: every supported board, real or emulated, read from ``boards.json`` (data, not code).

board = get_board("qemu-m4")
board.qemu_machine, board.cpu, board.clock_hz, board.flash_bytes
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

_TABLE = Path(__file__).resolve().parent / "boards.json"


class BoardError(ValueError):
    """Unknown board name or a malformed board table."""


@dataclass(frozen=True)
class Board:
    key: str
    name: str
    platform: str  # "local" = the dev-platform shipped in firmware/platform
    board: str  # PlatformIO board id
    framework: str | None
    core: str
    cpu: str | None  # key of bifsmn_mcu.toolchain.ARM_CPU_FLAGS (None for the host)
    fpu: bool
    dsp: bool
    mve: bool
    clock_hz: int
    flash_bytes: int
    ram_bytes: int
    link: str
    uart: str | None
    baud: int
    counter: str
    qemu_machine: str | None
    ldscript: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_qemu(self) -> bool:
        return self.qemu_machine is not None

    @property
    def is_host(self) -> bool:
        return self.key == "host"

    @property
    def is_local(self) -> bool:
        return self.platform == "local"

    @property
    def counter_unit(self) -> str:
        """What the device's counts are: QEMU -icount SysTick counts instructions, not cycles."""
        return (
            "instructions"
            if self.counter == "systick-icount"
            else ("ns" if self.counter == "clock-ns" else "cycles")
        )


_FIELDS = {f for f in Board.__dataclass_fields__ if f not in ("key", "extra")}


@lru_cache(maxsize=1)
def load_boards() -> dict[str, Board]:
    """All boards of the table, keyed by the env name used in ``platformio.ini``."""
    data = json.loads(_TABLE.read_text())
    out: dict[str, Board] = {}
    for key, row in data["boards"].items():
        missing = _FIELDS - row.keys()
        if missing:
            raise BoardError(f"board {key!r} in {_TABLE.name} lacks {sorted(missing)}")
        known = {k: row[k] for k in _FIELDS}
        extra = {k: v for k, v in row.items() if k not in _FIELDS}
        out[key] = Board(key=key, extra=extra, **known)
    return out


def default_board() -> str:
    return json.loads(_TABLE.read_text())["default"]


def get_board(key: str) -> Board:
    boards = load_boards()
    if key not in boards:
        raise BoardError(f"unknown board {key!r}; known: {', '.join(boards)}")
    return boards[key]


def qemu_boards() -> list[Board]:
    return [b for b in load_boards().values() if b.is_qemu]


def real_boards() -> list[Board]:
    return [b for b in load_boards().values() if not b.is_local]
