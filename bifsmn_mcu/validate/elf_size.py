"""Flash and RAM of a firmware ELF from ``arm-none-eabi-size -A``."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..toolchain import ToolchainError, arm_tool

FLASH_SECTIONS = (".text", ".rodata", ".ARM.exidx", ".data", ".isr_vector")
RAM_SECTIONS = (".data", ".bss", ".noinit")


def elf_sections(elf: Path) -> dict[str, int]:
    proc = subprocess.run([arm_tool("size"), "-A", "-d", str(elf)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ToolchainError(f"arm-none-eabi-size {elf}: {proc.stderr.strip()}")
    out = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].startswith(".") and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def elf_memory(elf: Path) -> tuple[int, int]:
    """(flash_bytes, ram_bytes): code + constants + initialised data; data + bss (stack excluded)."""
    sec = elf_sections(elf)
    flash = sum(v for k, v in sec.items() if k in FLASH_SECTIONS)
    ram = sum(v for k, v in sec.items() if k in RAM_SECTIONS)
    return flash, ram
