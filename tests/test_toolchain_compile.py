"""bifsmn_mcu.toolchain: host and Cortex-M builds, and the error the callers turn into one line."""

from __future__ import annotations

import subprocess

import pytest
from conftest import require_tool

from bifsmn_mcu import toolchain
from bifsmn_mcu.toolchain import ARM_CPU_FLAGS, ToolchainError, compile_arm, compile_host

SRC = """
#include <stdio.h>
int main(void) { printf("%d\\n", VALUE * 2); return 0; }
"""


def test_compile_host_runs_with_defines_and_sanitizers(tmp_path):
    require_tool("gcc")
    (tmp_path / "m.c").write_text(SRC)
    exe = compile_host([tmp_path / "m.c"], tmp_path / "m", defines={"VALUE": 21}, sanitize=True)
    assert subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout == "42\n"


def test_compile_host_warning_is_an_error_with_stderr(tmp_path):
    require_tool("gcc")
    (tmp_path / "w.c").write_text("int f(int x) { int unused; return x; }\n")
    with pytest.raises(ToolchainError, match="unused"):
        compile_host([tmp_path / "w.c"], tmp_path / "w.o", extra_flags=["-c"])


def test_missing_compiler_is_a_toolchain_error(tmp_path, monkeypatch):
    (tmp_path / "m.c").write_text(SRC)
    monkeypatch.setattr(toolchain, "HOST_CC", "no-such-cc-bifsmn")
    with pytest.raises(ToolchainError, match="not found"):
        compile_host([tmp_path / "m.c"], tmp_path / "m")


@pytest.mark.parametrize("cpu", sorted(ARM_CPU_FLAGS))
def test_compile_arm_every_core(tmp_path, cpu):
    require_tool("arm-none-eabi-gcc")
    (tmp_path / "k.c").write_text(
        "#include <stdint.h>\nint32_t k(int32_t a, int32_t b) { return a * b + 1; }\n"
    )
    elf = compile_arm([tmp_path / "k.c"], tmp_path / "k.elf", cpu, keep=["k"])
    nm = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True).stdout
    assert " T k\n" in nm
    attrs = subprocess.run(
        ["arm-none-eabi-readelf", "-A", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    assert "Tag_THUMB_ISA_use" in attrs


def test_compile_arm_rejects_unknown_cpu(tmp_path):
    with pytest.raises(ToolchainError, match="unknown cpu"):
        compile_arm([tmp_path / "k.c"], tmp_path / "k.elf", "m99")
