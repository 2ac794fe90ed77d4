"""Call one function of a Cortex-M ELF under unicorn and count the instructions it executes.

A fresh ``Uc`` per call (reusing one gives wrong counts). The ELF's PT_LOAD segments are mapped
(``.bss`` zeroed), a stack and a scratch area for caller data are added, ``r0..r3`` (then the
stack) carry the arguments, and ``lr`` points at a return address where emulation stops.
Counting uses a block hook: each translated block's Thumb instructions are counted once (16/32-bit
encodings told apart by the first halfword) and cached per block, so counting is exact and fast.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .elf import ElfImage, read_elf

SCRATCH_BASE = 0x6000_0000
"""Start of a zeroed area for the caller's inputs and outputs (``memory_init``, ``read``)."""
SCRATCH_SIZE = 0x0040_0000
_STACK_TOP = 0x7000_0000
_STACK_SIZE = 0x0010_0000
_RETURN = 0x7100_0000  # lr target; emulation stops here
_PAGE = 0x1000

_CPU_MODELS = {
    "m0": "UC_CPU_ARM_CORTEX_M0",
    "m0plus": "UC_CPU_ARM_CORTEX_M0",
    "m3": "UC_CPU_ARM_CORTEX_M3",
    "m4": "UC_CPU_ARM_CORTEX_M4",
    "m7": "UC_CPU_ARM_CORTEX_M7",
    "m33": "UC_CPU_ARM_CORTEX_M33",
}


class MeasureError(RuntimeError):
    """The function could not be run (unknown symbol, fault, instruction limit)."""


@dataclass
class Measurement:
    instructions: int
    return_value: int  # r0 as unsigned 32-bit
    per_function: dict[str, int] = field(default_factory=dict)  # only with breakdown=True
    memory: dict[int, bytes] = field(default_factory=dict)  # the requested reads, by address


def thumb_addresses(code: bytes, base: int) -> list[int]:
    """Start addresses of the Thumb instructions in ``code`` (32-bit encodings told apart by the
    first halfword's top five bits)."""
    out, i = [], 0
    while i + 1 < len(code):
        out.append(base + i)
        hw = code[i] | (code[i + 1] << 8)
        i += 4 if (hw >> 11) in (0b11101, 0b11110, 0b11111) else 2
    return out


def _map(uc, base: int, size: int) -> None:
    """Map [base, base + size) rounded out to pages, skipping pages an earlier segment mapped."""
    start = base & ~(_PAGE - 1)
    end = (base + size + _PAGE - 1) & ~(_PAGE - 1)
    mapped = [(b, e) for b, e, _ in uc.mem_regions()]
    page = start
    while page < end:
        hit = next(((b, e) for b, e in mapped if b <= page <= e), None)
        if hit is not None:
            page = hit[1] + 1
            continue
        stop = min([end] + [b for b, _ in mapped if b > page])
        uc.mem_map(page, stop - page)
        page = stop


def call_function(
    elf: Path | str | ElfImage,
    func: str,
    args: Sequence[int] = (),
    memory_init: Mapping[int, bytes] | None = None,
    read: Iterable[tuple[int, int]] = (),
    breakdown: bool = False,
    cpu: str = "m4",
    max_instructions: int = 200_000_000,
    setup: Sequence[tuple[str, Sequence[int]]] = (),
) -> Measurement:
    """Run ``func(*args)`` (integer/pointer arguments) and count the instructions it executes.

    ``memory_init`` writes bytes before the call (use addresses in the scratch area or the ELF's
    data); ``read`` lists ``(address, size)`` to copy out after it. With ``breakdown``,
    ``per_function`` counts instructions by the function symbol their address lies in
    (``"?"`` outside every symbol). ``setup`` lists ``(function, args)`` calls run first in the
    same emulator, not counted (e.g. an init function). Raises :class:`MeasureError` on faults.
    """
    import unicorn
    from unicorn import arm_const

    image = elf if isinstance(elf, ElfImage) else read_elf(elf)
    for name in [func, *(f for f, _ in setup)]:
        sym = image.symbols.get(name)
        if sym is None or sym.kind != "func":
            raise MeasureError(f"{image.path}: no function {name!r}")
    if cpu not in _CPU_MODELS:
        raise MeasureError(
            f"unicorn cannot run cpu {cpu!r} (known: {', '.join(_CPU_MODELS)}; M55/MVE needs QEMU)"
        )

    uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB | unicorn.UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(getattr(arm_const, _CPU_MODELS[cpu]))
    for seg in image.segments:
        _map(uc, seg.vaddr, len(seg.data))
        uc.mem_write(seg.vaddr, seg.data)
    _map(uc, SCRATCH_BASE, SCRATCH_SIZE)
    _map(uc, _STACK_TOP - _STACK_SIZE, _STACK_SIZE)
    _map(uc, _RETURN, _PAGE)
    uc.mem_write(_RETURN, b"\x00\xbf" * 8)  # nops (never executed: emulation stops at _RETURN)
    for addr, data in (memory_init or {}).items():
        uc.mem_write(addr, bytes(data))

    total = [0]
    per: dict[str, int] = {}
    cache: dict[tuple[int, int], object] = {}

    owner = image.function_at

    def on_block(uc_, address: int, size: int, _user) -> None:
        key = (address, size)
        hit = cache.get(key)
        if hit is None:
            code = bytes(uc_.mem_read(address, size))
            if breakdown:
                counts: dict[str, int] = {}
                for a in thumb_addresses(code, address):
                    o = owner(a)
                    counts[o] = counts.get(o, 0) + 1
                hit = (sum(counts.values()), tuple(counts.items()))
            else:
                hit = (len(thumb_addresses(code, 0)), ())
            cache[key] = hit
        n, parts = hit
        total[0] += n
        for name, c in parts:
            per[name] = per.get(name, 0) + c
        if total[0] > max_instructions:
            uc_.emu_stop()

    def run(name: str, call_args: Sequence[int]) -> None:
        sp = _STACK_TOP - 64
        regs = [
            arm_const.UC_ARM_REG_R0,
            arm_const.UC_ARM_REG_R1,
            arm_const.UC_ARM_REG_R2,
            arm_const.UC_ARM_REG_R3,
        ]
        stack_args = [a & 0xFFFFFFFF for a in call_args[4:]]
        if stack_args:
            sp -= 4 * len(stack_args)
            sp &= ~7
            uc.mem_write(sp, struct.pack(f"<{len(stack_args)}I", *stack_args))
        for reg, val in zip(regs, call_args[:4], strict=False):
            uc.reg_write(reg, val & 0xFFFFFFFF)
        uc.reg_write(arm_const.UC_ARM_REG_SP, sp)
        uc.reg_write(arm_const.UC_ARM_REG_LR, _RETURN | 1)
        try:
            uc.emu_start(image.symbols[name].address | 1, _RETURN)
        except unicorn.UcError as err:
            pc = uc.reg_read(arm_const.UC_ARM_REG_PC)
            raise MeasureError(f"{name}: {err} at pc 0x{pc:08x} ({owner(pc)})") from err
        pc = uc.reg_read(arm_const.UC_ARM_REG_PC)
        if total[0] > max_instructions:
            raise MeasureError(
                f"{name}: more than {max_instructions} instructions (pc 0x{pc:08x}, {owner(pc)})"
            )
        if pc != _RETURN:
            raise MeasureError(f"{name}: stopped at pc 0x{pc:08x} ({owner(pc)}) before returning")

    uc.hook_add(unicorn.UC_HOOK_BLOCK, on_block)
    for name, call_args in setup:
        run(name, call_args)
    total[0] = 0
    per.clear()
    run(func, args)
    memory = {addr: bytes(uc.mem_read(addr, size)) for addr, size in read}
    ret = uc.reg_read(arm_const.UC_ARM_REG_R0)
    return Measurement(total[0], ret, per if breakdown else {}, memory)


def count_instructions(
    elf: Path | str | ElfImage,
    func: str,
    args: Sequence[int] = (),
    memory_init: Mapping[int, bytes] | None = None,
    cpu: str = "m4",
) -> int:
    """Instructions executed by ``func(*args)`` (including everything it calls)."""
    return call_function(elf, func, args, memory_init, cpu=cpu).instructions
