"""Flash and RAM of a firmware ELF as ``arm-none-eabi-size`` reports them (Berkeley format).

The Berkeley columns come from section flags, not names: ``text`` (allocated, read-only: code,
constants, vector table, unwind tables, ``.init_array`` in flash...), ``data`` (allocated, writable,
with contents: copied from flash to RAM at start-up) and ``bss`` (allocated, no contents). So
vendor linker scripts' own section names (``.text.itcm``, ``._user_heap_stack``...) are counted too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..toolchain import ToolchainError, arm_tool


def elf_memory(elf: Path) -> tuple[int, int]:
    """(flash_bytes, ram_bytes) = (text + data, data + bss); the stack counts only where the linker
    script reserves it as a section."""
    proc = subprocess.run([arm_tool("size"), "-B", "-d", str(elf)], capture_output=True, text=True)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) < 2:
        raise ToolchainError(f"arm-none-eabi-size {elf}: {proc.stderr.strip() or 'no size line'}")
    text, data, bss = (int(v) for v in lines[1].split()[:3])
    return text + data, data + bss
