"""The C front end built for Cortex-M4 -O2, run under unicorn: bit-exact, instruction budget, no libgcc."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SPEECH_PART, require_tool

from bifsmn_mcu.data import load_folder
from bifsmn_mcu.frontend import DEFAULT_FEATURES as CFG
from bifsmn_mcu.frontend import features
from bifsmn_mcu.frontend.verify import SLOW_HELPERS, build_arm_frontend, library_functions, run_arm_frontend

BUDGET = 1_500_000  # instructions per 1 s clip (issue 2: cheaper than the network it feeds)


@pytest.fixture(scope="module")
def m4_elf(tmp_path_factory):
    require_tool("arm-none-eabi-gcc")
    return build_arm_frontend(CFG, tmp_path_factory.mktemp("m4"), cpu="m4", opt="-O2")


def test_m4_real_clip_bit_exact_within_budget(shared_data, m4_elf):
    pcm = load_folder(SPEECH_PART)[1234].load(CFG)
    got, m = run_arm_frontend(m4_elf, pcm, CFG, chunk=160)
    np.testing.assert_array_equal(got, features(pcm, CFG))
    assert m.instructions <= BUDGET, m.per_function
    assert m.per_function["bnn_fft_s32"] > m.instructions / 3  # the breakdown sees the FFT
    assert sum(m.per_function.values()) == m.instructions


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_m4_edge_signal_any_chunk(m4_elf, chunk):
    rng = np.random.default_rng(chunk)
    pcm = rng.integers(-32768, 32768, CFG.clip_samples).astype(np.int16)
    pcm[::97] = -32768
    got, _ = run_arm_frontend(m4_elf, pcm, CFG, chunk=chunk)
    np.testing.assert_array_equal(got, features(pcm, CFG))


def test_m4_links_no_slow_library_helpers(m4_elf):
    require_tool("arm-none-eabi-nm")
    libs = library_functions(m4_elf)
    assert not set(libs) & set(SLOW_HELPERS), libs


@pytest.mark.parametrize("cpu", ["m0", "m3", "m33"])
def test_other_cores_bit_exact(tmp_path, cpu):
    """M0 (no 64-bit multiply: libgcc helpers) and M3/M33 give the same integers."""
    require_tool("arm-none-eabi-gcc")
    elf = build_arm_frontend(CFG, tmp_path, cpu=cpu)
    pcm = (np.random.default_rng(5).standard_normal(CFG.clip_samples) * 4000).astype(np.int16)
    got, m = run_arm_frontend(elf, pcm, CFG, chunk=512, cpu=cpu)
    np.testing.assert_array_equal(got, features(pcm, CFG))
    assert m.instructions > 0
