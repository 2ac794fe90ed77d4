"""The benchmark's counts are exact and deterministic: the same build counted twice gives the same
numbers (QEMU icount plugin and unicorn), and the optimised model's logits equal the reference."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import require_tool

from bifsmn_mcu.bench.kernel_check import check_kernel


@pytest.mark.qemu
def test_qemu_icount_twice_identical(tmp_path):
    require_tool("arm-none-eabi-gcc")
    require_tool("qemu-system-arm")
    from bifsmn_mcu.bench.qemu_count import build_plugin, run_counted

    plugin = build_plugin(tmp_path / "plugin")
    r = check_kernel("bnn_bmm_vsparse_mve_i32", "m55", 2, 99, 37, seed=4, work=tmp_path, plugin=plugin)
    assert r.ok and r.instructions > 0
    elf = next(tmp_path.glob("bnn_bmm_vsparse_mve_i32_m55_*.elf"))
    a, b = run_counted(elf, "m55", plugin), run_counted(elf, "m55", plugin)
    assert a.total == b.total and a.per_function == b.per_function
    # the count covers the kernel, and the kernel alone is a part of the whole run
    assert 0 < a.per_function["bnn_bmm_vsparse_mve_i32"] < a.total


def test_unicorn_twice_identical(tmp_path):
    require_tool("arm-none-eabi-gcc")
    a = check_kernel("bnn_bmm_vsparse_v7m_i32", "m4", 2, 99, 37, seed=4, work=tmp_path / "a")
    b = check_kernel("bnn_bmm_vsparse_v7m_i32", "m4", 2, 99, 37, seed=4, work=tmp_path / "b")
    assert a.ok and b.ok and a.instructions == b.instructions > 0


@pytest.mark.slow
def test_model_bench_twice_identical_and_bit_exact(tmp_path):
    """Two full measurements of the generated width-1/8 model on M4: same counts, logits == intref."""
    require_tool("arm-none-eabi-gcc")
    from bifsmn_mcu.bench.runner import bench_clip, measure_binary
    from bifsmn_mcu.frontend.reference import features
    from bifsmn_mcu.model import intref
    from bifsmn_mcu.model.fold import fold
    from bifsmn_mcu.model.random_deploy import random_deploy_state

    ir = fold(random_deploy_state(1))
    pcm = bench_clip()
    expected = np.asarray(intref.logits(ir, features(pcm)[None], "1/8"))[0]
    r1 = measure_binary(ir, "1/8", "fast", "m4", tmp_path, pcm, expected, None)
    shutil.rmtree(tmp_path / "w1_8")
    r2 = measure_binary(ir, "1/8", "fast", "m4", tmp_path, pcm, expected, None)
    assert r1.bit_exact and r2.bit_exact
    assert (r1.instructions_network, r1.instructions_frontend, r1.per_layer) == (
        r2.instructions_network,
        r2.instructions_frontend,
        r2.per_layer,
    )
    assert sum(r1.per_layer.values()) == r1.instructions_network
