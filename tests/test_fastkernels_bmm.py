"""Optimised binary matrix kernels == the definition (numpy) on random inputs of odd sizes:
portable C on the host (ASan/UBSan), the Thumb-2 assembly variant and the portable one on
Cortex-M3/M4 under unicorn, the Helium variant on Cortex-M55 under QEMU with the icount plugin."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import require_tool

from bifsmn_mcu.bench.kernel_check import check_kernel, random_case
from bifsmn_mcu.codegen.layout import (
    dots_reference,
    pack_bconv_fast,
    pack_bdense_fast,
    pack_columns,
    pack_rows,
)
from bifsmn_mcu.model.bitpack import unpack_bits

# (n_vec, n_in, n_out, density): odd sizes, a partial last word on both axes, the several-pass
# path (n_in > 480 selects > 240 rows), all-ones / all-zero activations.
CASES = [(3, 37, 5, 0.5), (2, 131, 37, 0.5), (2, 999, 77, 0.3), (1, 255, 129, 1.0), (1, 97, 33, 0.0)]


def test_layout_round_trip():
    rng = np.random.default_rng(3)
    neg = rng.random((37, 131)) < 0.5
    cols, colsum = pack_columns(neg)
    assert cols.shape == (131, 2)
    assert np.array_equal(unpack_bits(cols, 37), neg.T)
    assert np.array_equal(colsum, neg.sum(axis=1))
    fast = pack_bdense_fast(pack_rows(neg), 131)
    assert fast.size == 131 * 2 + 19
    assert np.array_equal(fast[: 131 * 2].reshape(131, 2), cols)
    assert np.array_equal(fast[131 * 2 :].view("<i2")[:37], colsum)


def test_conv_layout_round_trip():
    rng = np.random.default_rng(4)
    out_c, taps, in_c = 37, 9, 13
    neg = rng.random((out_c, taps, in_c)) < 0.5
    w_taps = pack_rows(neg.reshape(out_c * taps, in_c)).reshape(out_c, taps)
    fast = pack_bconv_fast(w_taps, in_c)
    n_in = taps * in_c
    assert np.array_equal(fast[: out_c * taps].reshape(out_c, taps), w_taps)  # portable words first
    cols = fast[out_c * taps : out_c * taps + n_in * 2].reshape(n_in, 2)
    assert np.array_equal(unpack_bits(cols, out_c), neg.reshape(out_c, n_in).T)  # row tap * in_c + c
    rest = fast[out_c * taps + n_in * 2 :]
    assert np.array_equal(rest.view("<i2")[:out_c], neg.reshape(out_c, -1).sum(axis=1))
    tapneg = rest[(out_c + 1) // 2 :].view(np.uint8)
    assert tapneg.size == -(-taps * out_c // 4) * 4
    assert np.array_equal(tapneg[: taps * out_c].reshape(taps, out_c), neg.sum(axis=2).T)


def test_reference_is_popcount_definition():
    a, w = random_case(4, 45, 9, seed=5)
    pa, pw = pack_rows(a), pack_rows(w)
    pop = np.array(
        [[sum(bin(int(x)).count("1") for x in (pa[v] ^ pw[o])) for o in range(9)] for v in range(4)]
    )
    assert np.array_equal(dots_reference(a, w), 45 - 2 * pop)


@pytest.mark.parametrize("kernel", ["bnn_bmm_rows_i32", "bnn_bmm_vsparse_i32"])
def test_host_kernels_equal_reference(kernel, tmp_path):
    require_tool("gcc")
    for i, (n_vec, n_in, n_out, dens) in enumerate(CASES):
        r = check_kernel(kernel, "host", n_vec, n_in, n_out, seed=10 + i, work=tmp_path, density=dens)
        assert r.ok, (kernel, n_vec, n_in, n_out, dens)


@pytest.mark.parametrize(
    "kernel,cpu",
    [
        ("bnn_bmm_vsparse_v7m_i32", "m4"),
        pytest.param("bnn_bmm_vsparse_v7m_i32", "m3", marks=pytest.mark.slow),
        pytest.param("bnn_bmm_vsparse_i32", "m4", marks=pytest.mark.slow),
    ],
)
def test_cortex_m_kernels_equal_reference(kernel, cpu, tmp_path):
    require_tool("arm-none-eabi-gcc")
    for i, (n_vec, n_in, n_out, dens) in enumerate(CASES):
        r = check_kernel(kernel, cpu, n_vec, n_in, n_out, seed=20 + i, work=tmp_path, density=dens)
        assert r.ok, (kernel, cpu, n_vec, n_in, n_out, dens)
        assert r.instructions > 0


@pytest.mark.slow
def test_fast_kernel_beats_row_kernel_on_m4(tmp_path):
    require_tool("arm-none-eabi-gcc")
    fast = check_kernel("bnn_bmm_vsparse_v7m_i32", "m4", 2, 256, 128, seed=1, work=tmp_path)
    rows = check_kernel("bnn_bmm_rows_i32", "m4", 2, 256, 128, seed=1, work=tmp_path)
    assert fast.ok and rows.ok
    assert fast.instructions * 2 < rows.instructions


@pytest.mark.qemu
def test_mve_kernel_equals_reference_on_m55(tmp_path):
    require_tool("arm-none-eabi-gcc")
    require_tool("qemu-system-arm")
    from bifsmn_mcu.bench.qemu_count import build_plugin

    plugin = build_plugin(tmp_path / "plugin")
    for i, (n_vec, n_in, n_out, dens) in enumerate(CASES[:4]):
        r = check_kernel(
            "bnn_bmm_vsparse_mve_i32",
            "m55",
            n_vec,
            n_in,
            n_out,
            seed=30 + i,
            work=tmp_path,
            density=dens,
            plugin=plugin,
        )
        assert r.ok, (n_vec, n_in, n_out, dens)
        assert r.instructions > 0


@pytest.mark.qemu
def test_qemu_harness_reports_a_wrong_result(tmp_path, monkeypatch):
    """The M55 check can fail: a corrupted expectation gives a non-zero exit code."""
    require_tool("arm-none-eabi-gcc")
    require_tool("qemu-system-arm")
    from bifsmn_mcu.bench import kernel_check
    from bifsmn_mcu.bench.qemu_count import build_plugin

    real = kernel_check.dots_reference
    monkeypatch.setattr(kernel_check, "dots_reference", lambda a, w: real(a, w) + 1)
    r = check_kernel(
        "bnn_bmm_vsparse_mve_i32",
        "m55",
        1,
        37,
        5,
        seed=1,
        work=tmp_path,
        plugin=build_plugin(tmp_path / "plugin"),
    )
    assert not r.ok
