"""bifsmn_mcu.frontend.ctables: FeatureConfig tables rendered as C equal the config's integers."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from conftest import require_tool

from bifsmn_mcu.frontend import DEFAULT_FEATURES, FeatureConfig
from bifsmn_mcu.frontend.ctables import FrontendTableError, frontend_arrays, frontend_c_tables
from bifsmn_mcu.resources import firmware_dir
from bifsmn_mcu.toolchain import compile_host

DUMP = r"""
#include <stdio.h>
#include "tab_frontend_tables.h"
static void dump(const char *name, const void *p, int n, int is16) {
    printf("%s", name);
    for (int i = 0; i < n; ++i) {
        long v = is16 ? (long)((const uint16_t *)p)[i] : (long)((const int32_t *)p)[i];
        printf(" %ld", v);
    }
    printf("\n");
}
int main(void) {
    const bnn_frontend_config_t *c = &g_tab_fe_config;
    dump("window", c->window_q15, TAB_FE_WINDOW_SIZE, 0);
    dump("fft_cos", c->fft_cos, TAB_FE_FFT_COS_SIZE, 0);
    dump("fft_sin", c->fft_sin, TAB_FE_FFT_SIN_SIZE, 0);
    dump("split_cos", c->split_cos, TAB_FE_SPLIT_COS_SIZE, 0);
    dump("split_sin", c->split_sin, TAB_FE_SPLIT_SIN_SIZE, 0);
    dump("bitrev", c->bitrev, TAB_FE_BITREV_SIZE, 1);
    dump("mel_start", c->mel_start, TAB_FE_MEL_START_SIZE, 1);
    dump("mel_len", c->mel_len, TAB_FE_MEL_LEN_SIZE, 1);
    dump("mel_offset", c->mel_offset, TAB_FE_MEL_OFFSET_SIZE, 1);
    dump("mel_weights", c->mel_weights, TAB_FE_MEL_WEIGHTS_SIZE, 1);
    dump("log2_table", c->log2_table, TAB_FE_LOG2_TABLE_SIZE, 0);
    printf("scalars %u %u %u %u %u %u %u\n", c->window, c->hop, c->n_fft, c->n_mels, c->n_frames,
           (unsigned)c->energy_floor, c->log_frac_bits);
    return 0;
}
"""


@pytest.mark.parametrize(
    "cfg",
    [DEFAULT_FEATURES, FeatureConfig(n_mels=40, n_frames=49, window=320, hop=320)],
    ids=["default", "40x49"],
)
def test_c_tables_equal_config(tmp_path, cfg):
    require_tool("gcc")
    h, c = frontend_c_tables(cfg, "tab")
    (tmp_path / "tab_frontend_tables.h").write_text(h)
    (tmp_path / "tab_frontend_tables.c").write_text(c)
    (tmp_path / "dump.c").write_text(DUMP)
    exe = compile_host(
        [tmp_path / "dump.c", tmp_path / "tab_frontend_tables.c"],
        tmp_path / "dump",
        include_dirs=[tmp_path, firmware_dir() / "frontend"],
    )
    lines = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    got = {ln.split()[0]: np.array([int(v) for v in ln.split()[1:]]) for ln in lines}
    for what, (_, want) in frontend_arrays(cfg).items():
        np.testing.assert_array_equal(got[what], want, err_msg=what)
    np.testing.assert_array_equal(got["window"], cfg.window_q15)
    np.testing.assert_array_equal(got["split_cos"], cfg.split_twiddles[0])
    weights = np.zeros_like(cfg.mel_weights_q15)
    for m, (s, n, o) in enumerate(zip(got["mel_start"], got["mel_len"], got["mel_offset"], strict=True)):
        weights[m, s : s + n] = got["mel_weights"][o : o + n]
    np.testing.assert_array_equal(weights, cfg.mel_weights_q15)
    assert list(got["scalars"]) == [
        cfg.window,
        cfg.hop,
        cfg.n_fft,
        cfg.n_mels,
        cfg.n_frames,
        cfg.energy_floor,
        8,
    ]
    assert "Do not edit" in h and "Do not edit" in c


def test_rejects_what_the_c_cannot_run():
    with pytest.raises(FrontendTableError, match="identifier"):
        frontend_c_tables(DEFAULT_FEATURES, "9bad")
    with pytest.raises(FrontendTableError, match="hop >= window"):
        frontend_c_tables(FeatureConfig(window=480, hop=320, n_frames=32))
    with pytest.raises(FrontendTableError, match="window <= 720"):
        frontend_c_tables(FeatureConfig(window=800, hop=800, n_fft=1024, n_frames=19))
    with pytest.raises(FrontendTableError, match="compiled for"):
        frontend_c_tables(FeatureConfig(input_shift=3))
