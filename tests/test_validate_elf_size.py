"""Flash/RAM of an ELF from section flags (Berkeley), so sections with vendor names are counted."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import require_tool

from bifsmn_mcu.validate.elf_size import elf_memory

SRC = """
__attribute__((section(".text.itcm_fast"))) int fast(int x) { return x * 3 + 1; }
__attribute__((section(".ram_init"))) int table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
const int consts[16] = {1};
int zeroed[32];
int entry(int x) { return fast(x) + table[x & 7] + consts[x & 15] + zeroed[x & 31]; }
"""


def _sections(obj: Path) -> dict[str, int]:
    out = subprocess.run(["arm-none-eabi-size", "-A", "-d", str(obj)], capture_output=True, text=True).stdout
    rows = (line.split() for line in out.splitlines())
    return {p[0]: int(p[1]) for p in rows if len(p) >= 3 and p[1].isdigit()}


def test_vendor_named_sections_are_counted(tmp_path: Path) -> None:
    require_tool("arm-none-eabi-gcc")
    c, obj = tmp_path / "a.c", tmp_path / "a.o"
    c.write_text(SRC)
    subprocess.run(
        ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-O2", "-fno-common"]
        + ["-c", str(c), "-o", str(obj)],
        check=True,
    )
    sec = _sections(obj)
    assert sec[".text.itcm_fast"] > 0 and sec[".ram_init"] == 32 and sec[".bss"] == 128
    flash, ram = elf_memory(obj)
    code = sec[".text"] + sec[".text.itcm_fast"] + sec[".rodata"]
    assert ram == sec[".ram_init"] + sec[".bss"] + sec.get(".data", 0)  # the named data section too
    assert flash >= code + sec[".ram_init"]  # initialised data lives in flash as well
