"""Instructions per layer of one inference, under unicorn (Cortex-M0..M33), from the call sequence.

Every call from the generated model code (functions named ``kws_*``) into a kernel (``bnn_*``)
starts a new top-level call; all instructions until the next one are charged to it. The calls are
then grouped into layers: a layer ends with its main kernel (conv, dense, depthwise, argmax), so
``conv2 = dsa pack + dsa scale + binary conv``. A fresh ``Uc`` per run (see bifsmn_mcu.measure).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..measure.elf import read_elf
from ..measure.unicorn_run import thumb_addresses

_STACK_TOP = 0x7000_0000
_STACK_SIZE = 0x0010_0000
_RETURN = 0x7100_0000
_PAGE = 0x1000
_CPU_MODELS = {
    "m3": "UC_CPU_ARM_CORTEX_M3",
    "m4": "UC_CPU_ARM_CORTEX_M4",
    "m7": "UC_CPU_ARM_CORTEX_M7",
    "m33": "UC_CPU_ARM_CORTEX_M33",
}
TERMINAL = (
    "bnn_conv2d_s8",
    "bnn_bconv2d",
    "bnn_bdense",
    "bnn_bdwconv1d",
    "bnn_argmax",
    "bnn_conv2d_fast",
    "bnn_bdwconv1d_fast",
)


class TraceError(RuntimeError):
    """The function faulted or did not return."""


@dataclass
class Trace:
    total: int
    calls: list[tuple[str, int]]  # (kernel, instructions incl. glue after it), in call order
    per_function: dict[str, int] = field(default_factory=dict)
    memory: dict[str, bytes] = field(default_factory=dict)


def trace_calls(
    elf: Path | str,
    func: str,
    cpu: str,
    setup: Sequence[str] = (),
    read: Sequence[str] = (),
    read_sizes: Sequence[int] = (),
) -> Trace:
    """Run ``setup`` functions (uncounted), then ``func()``; count per top-level kernel call."""
    import unicorn
    from unicorn import arm_const

    if cpu not in _CPU_MODELS:
        raise TraceError(f"unicorn cannot run cpu {cpu!r}")
    image = read_elf(elf)
    uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB | unicorn.UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(getattr(arm_const, _CPU_MODELS[cpu]))
    mapped: set[int] = set()

    def map_range(base: int, size: int) -> None:
        for page in range(base & ~(_PAGE - 1), (base + size + _PAGE - 1) & ~(_PAGE - 1), _PAGE):
            if page not in mapped:
                uc.mem_map(page, _PAGE)
                mapped.add(page)

    for seg in image.segments:
        map_range(seg.vaddr, len(seg.data))
        uc.mem_write(seg.vaddr, seg.data)
    map_range(_STACK_TOP - _STACK_SIZE, _STACK_SIZE)
    map_range(_RETURN, _PAGE)
    entry = {f.address: f.name for f in image.functions()}
    owner = image.function_at

    cache: dict[tuple[int, int], tuple[int, tuple[tuple[str, int], ...]]] = {}
    state = {"on": False, "total": 0}
    calls: list[list] = []
    per: dict[str, int] = {}

    def on_block(uc_, address: int, size: int, _user) -> None:
        if not state["on"]:
            return
        name = entry.get(address)
        if name is not None and name.startswith("bnn_"):
            lr = uc_.reg_read(arm_const.UC_ARM_REG_LR) & ~1
            if owner(lr).startswith("kws_"):
                calls.append([name, 0])
        hit = cache.get((address, size))
        if hit is None:
            counts: dict[str, int] = {}
            for a in thumb_addresses(bytes(uc_.mem_read(address, size)), address):
                o = owner(a)
                counts[o] = counts.get(o, 0) + 1
            hit = cache[(address, size)] = (sum(counts.values()), tuple(counts.items()))
        n, parts = hit
        state["total"] += n
        for o, c in parts:
            per[o] = per.get(o, 0) + c
        if calls:
            calls[-1][1] += n
        else:
            calls.append(["(entry)", n])

    uc.hook_add(unicorn.UC_HOOK_BLOCK, on_block)

    def run(name: str) -> None:
        if name not in image.symbols:
            raise TraceError(f"{elf}: no function {name!r}")
        uc.reg_write(arm_const.UC_ARM_REG_SP, _STACK_TOP - 64)
        uc.reg_write(arm_const.UC_ARM_REG_LR, _RETURN | 1)
        try:
            uc.emu_start(image.symbols[name].address | 1, _RETURN)
        except unicorn.UcError as err:
            pc = uc.reg_read(arm_const.UC_ARM_REG_PC)
            raise TraceError(f"{name}: {err} at pc 0x{pc:08x} ({owner(pc)})") from err
        if uc.reg_read(arm_const.UC_ARM_REG_PC) != _RETURN:
            raise TraceError(f"{name} did not return")

    for name in setup:
        run(name)
    state["on"] = True
    run(func)
    mem = {}
    for name, size in zip(read, read_sizes, strict=True):
        mem[name] = bytes(uc.mem_read(image.symbols[name].address, size))
    return Trace(state["total"], [(c[0], c[1]) for c in calls], per, mem)


def group_layers(calls: list[tuple[str, int]], names: Sequence[str]) -> dict[str, int]:
    """Charge the call sequence to layer ``names`` in order; a layer ends with a TERMINAL kernel."""
    out: dict[str, int] = {}
    i, acc = 0, 0
    for kernel, n in calls:
        acc += n
        if kernel.startswith(TERMINAL) and i < len(names):
            out[names[i]] = out.get(names[i], 0) + acc
            acc = 0
            if not kernel.startswith("bnn_dense_s8"):
                i += 1
    if acc:
        key = names[-1] if names else "(rest)"
        out[key] = out.get(key, 0) + acc
    return out


def unpack_i32(raw: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(raw) // 4}i", raw))
