"""PlatformIO board JSONs of the local dev-platform, rendered from the board table.

The committed ``firmware/platform/boards/*.json`` are this module's output (a test checks it);
``write_project`` re-renders them into the project's copy of the dev-platform.
"""

from __future__ import annotations

import json

from ..boards import Board, load_boards
from ..toolchain import ARM_CPU_FLAGS


def board_defines(board: Board) -> list:
    """C defines that select the board-support seams and describe the board to the INFO reply."""
    ident = [
        ("BIFSMN_BOARD", board.key),
        ("BIFSMN_CORE", board.core),
        ("BIFSMN_CLOCK_HZ", board.clock_hz),
        ("BIFSMN_COUNTER", board.counter),
    ]
    if board.is_host:
        return ["BIFSMN_BSP_HOST", *ident]
    bsp = {
        "cmsdk": "BIFSMN_BSP_CMSDK",
        "arduino-serial": "BIFSMN_BSP_ARDUINO",
        "stm32-hal": "BIFSMN_BSP_STM32HAL",
    }[board.uart]
    counter = {"dwt": "BIFSMN_COUNTER_DWT", "micros": "BIFSMN_COUNTER_MICROS"}.get(
        board.counter, "BIFSMN_COUNTER_SYSTICK"
    )
    out: list = [bsp, counter, *ident]
    if board.uart == "cmsdk":
        # QEMU -icount runs ~10x slower than real time in the UART polling loop: a short
        # virtual idle time still means ~0.2 s of real silence before a frame counts as truncated
        out += [("BIFSMN_UART_BASE", board.extra["uart_base"] + "u"), ("BIFSMN_IDLE_MS", 20)]
    if board.uart == "stm32-hal":
        out.append(("BIFSMN_STM32_UART", board.extra["uart_instance"]))
    return out


def board_json(board: Board) -> dict:
    """The PlatformIO board manifest of a local board (QEMU machine or host)."""
    if not board.is_local:
        raise ValueError(f"{board.key} is a real board; its JSON comes from its official platform")
    cfg = {
        "kind": "host" if board.is_host else "qemu",
        "cpu_flags": list(ARM_CPU_FLAGS[board.cpu]) if board.cpu else [],
        "defines": [list(d) if isinstance(d, tuple) else d for d in board_defines(board)],
        "ldscript": board.ldscript,
        "qemu_machine": board.qemu_machine,
    }
    return {
        "build": {
            "core": "bifsmn",
            "cpu": board.core,
            "f_cpu": f"{board.clock_hz}L",
            "mcu": board.qemu_machine or "host",
            "bifsmn": cfg,
        },
        "frameworks": [],
        "name": board.name,
        "upload": {
            "maximum_size": board.flash_bytes,
            "maximum_ram_size": board.ram_bytes,
            "protocol": "qemu" if board.is_qemu else "host",
        },
        "url": "https://www.qemu.org/docs/master/system/arm/mps2.html"
        if board.is_qemu
        else "https://gcc.gnu.org",
        "vendor": "QEMU" if board.is_qemu else "host",
    }


def render_board_jsons(stamp: dict | None = None) -> dict[str, str]:
    """File name -> JSON text for every local board of the table; ``stamp`` (keys such as
    ``generated_by``, ``model_sha256``) is added to each manifest (PlatformIO ignores extra keys)."""
    return {
        f"{b.board}.json": json.dumps({**board_json(b), **(stamp or {})}, indent=2) + "\n"
        for b in load_boards().values()
        if b.is_local
    }
