"""bifsmn_mcu.measure: exact instruction counts of Cortex-M functions under unicorn."""

from __future__ import annotations

import struct

import pytest
from conftest import require_tool

from bifsmn_mcu.measure import SCRATCH_BASE, MeasureError, call_function, count_instructions, read_elf
from bifsmn_mcu.toolchain import compile_arm

SRC = r"""
#include <stdint.h>
int32_t sum(const int32_t *a, int32_t n) {
    int32_t s = 0;
    for (int32_t i = 0; i < n; ++i) s += a[i];
    return s;
}
int32_t twice(const int32_t *a, int32_t n) { return 2 * sum(a, n); }
int32_t six(int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f) {
    return a + b + c + d + e * f;
}
int32_t counter;
void bump(void) { counter += 5; }
int32_t get(void) { return counter; }
void fault(void) { *(volatile int32_t *)0x90000000u = 1; }
"""


@pytest.fixture(scope="module", params=["m0", "m3", "m4", "m33"])
def elf(request, tmp_path_factory):
    require_tool("arm-none-eabi-gcc")
    d = tmp_path_factory.mktemp(request.param)
    (d / "f.c").write_text(SRC)
    keep = ["twice", "sum", "six", "bump", "get", "fault"]
    return request.param, compile_arm([d / "f.c"], d / "f.elf", request.param, opt="-O1", keep=keep)


def _code_hook_count(path, func, args, mem, cpu):
    """Independent count: one UC_HOOK_CODE callback per executed instruction."""
    import unicorn
    from unicorn import arm_const

    from bifsmn_mcu.measure import unicorn_run as ur

    image = read_elf(path)
    uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB | unicorn.UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(getattr(arm_const, ur._CPU_MODELS[cpu]))
    for seg in image.segments:
        ur._map(uc, seg.vaddr, len(seg.data))
        uc.mem_write(seg.vaddr, seg.data)
    ur._map(uc, SCRATCH_BASE, 0x1000)
    ur._map(uc, 0x6F000000, 0x1000000)
    ur._map(uc, ur._RETURN, 0x1000)
    for a, b in mem.items():
        uc.mem_write(a, b)
    for r, v in zip((arm_const.UC_ARM_REG_R0, arm_const.UC_ARM_REG_R1), args, strict=False):
        uc.reg_write(r, v)
    uc.reg_write(arm_const.UC_ARM_REG_SP, 0x6FFFFF00)
    uc.reg_write(arm_const.UC_ARM_REG_LR, ur._RETURN | 1)
    n = [0]
    uc.hook_add(unicorn.UC_HOOK_CODE, lambda *a: n.__setitem__(0, n[0] + 1))
    uc.emu_start(image.symbols[func].address | 1, ur._RETURN)
    return n[0]


@pytest.mark.parametrize("n", [0, 1, 7, 100])
def test_block_count_equals_per_instruction_count(elf, n):
    cpu, path = elf
    data = struct.pack(f"<{max(n, 1)}i", *range(3, 3 + max(n, 1)))
    m = call_function(path, "twice", [SCRATCH_BASE, n], {SCRATCH_BASE: data}, breakdown=True, cpu=cpu)
    assert m.return_value == (2 * sum(range(3, 3 + n))) & 0xFFFFFFFF
    assert m.instructions == _code_hook_count(path, "twice", [SCRATCH_BASE, n], {SCRATCH_BASE: data}, cpu)
    assert sum(m.per_function.values()) == m.instructions
    assert set(m.per_function) == {"twice", "sum"}


def test_loop_cost_is_linear_and_per_function_split(elf):
    cpu, path = elf
    data = bytes(4 * 64)
    counts = [
        call_function(
            path, "twice", [SCRATCH_BASE, n], {SCRATCH_BASE: data}, breakdown=True, cpu=cpu
        ).per_function
        for n in (10, 20, 30)
    ]
    assert counts[0]["twice"] == counts[1]["twice"] == counts[2]["twice"]
    d1 = counts[1]["sum"] - counts[0]["sum"]
    assert d1 > 0 and counts[2]["sum"] - counts[1]["sum"] == d1


def test_stack_arguments_and_setup_calls(elf):
    cpu, path = elf
    assert call_function(path, "six", [1, 2, 3, 4, 5, 6], cpu=cpu).return_value == 40
    m = call_function(path, "get", cpu=cpu, setup=[("bump", []), ("bump", [])])
    assert m.return_value == 10
    assert m.instructions == count_instructions(path, "get", cpu=cpu)  # setup is not counted


def test_faults_and_unknown_functions_are_measure_errors(elf):
    cpu, path = elf
    with pytest.raises(MeasureError, match="fault"):
        call_function(path, "fault", cpu=cpu)
    with pytest.raises(MeasureError, match="no function"):
        call_function(path, "nope", cpu=cpu)


def test_same_named_static_functions_are_each_attributed(tmp_path):
    """A static helper with one copy per translation unit (like a static inline that is not inlined):
    every copy's instructions count under its name, none as '?'."""
    require_tool("arm-none-eabi-gcc")
    helper = "static __attribute__((noinline)) int step(int x) { return 3 * x + 1; }\n"
    (tmp_path / "a.c").write_text(helper + "int fa(int x) { return step(x); }\n")
    (tmp_path / "b.c").write_text(
        helper + "int fb(int x) { return step(step(x)); }\nint fa(int);\n"
        "int both(int x) { return fa(x) + fb(x); }\n"
    )
    path = compile_arm(
        [tmp_path / "a.c", tmp_path / "b.c"], tmp_path / "ab.elf", "m4", opt="-O1", keep=["both"]
    )
    copies = [f for f in read_elf(path).functions() if f.name == "step"]
    assert len(copies) == 2
    m = call_function(path, "both", [5], breakdown=True, cpu="m4")
    assert m.return_value == 16 + 49  # step(5), step(step(5))
    assert "?" not in m.per_function and set(m.per_function) == {"both", "fa", "fb", "step"}
    assert sum(m.per_function.values()) == m.instructions
