"""Exact instruction counts of functions in Cortex-M ELF files, run under unicorn (no board needed).

    from bifsmn_mcu.measure import call_function, count_instructions
    n = count_instructions(elf, "bnn_fft_s32", [cfg_addr, buf_addr], {buf_addr: data})
    m = call_function(elf, "fe_run", [SCRATCH, 16000], {SCRATCH: pcm}, read=[(out, 2048)], breakdown=True)
    m.instructions, m.per_function["bnn_fft_s32"], m.memory[out]

Counts are instructions executed (every instruction counts 1, as QEMU's -icount), not cycles.
"""

from .elf import ElfImage, ElfSymbol, read_elf
from .unicorn_run import (
    SCRATCH_BASE,
    SCRATCH_SIZE,
    MeasureError,
    Measurement,
    call_function,
    count_instructions,
)

__all__ = [
    "SCRATCH_BASE",
    "SCRATCH_SIZE",
    "ElfImage",
    "ElfSymbol",
    "Measurement",
    "MeasureError",
    "call_function",
    "count_instructions",
    "read_elf",
]
