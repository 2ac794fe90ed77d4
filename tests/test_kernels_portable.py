"""Each portable C kernel against the numpy integer reference, on awkward sizes (1, 31, 32, 33, 65 ...).

One small driver (below) reads int32 records from stdin, runs one kernel, writes int32 results;
it is compiled with -std=c99 -Wall -Wextra -Werror and ASan + UBSan.
"""

import os
import subprocess

import numpy as np
import pytest
from conftest import require_tool

from bifsmn_mcu.model import intref
from bifsmn_mcu.model.bitpack import pack_bits
from bifsmn_mcu.resources import firmware_dir
from bifsmn_mcu.toolchain import compile_host

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bnn_kernels.h"

static int32_t *rd(size_t n) {
    int32_t *p = (int32_t *)malloc((n ? n : 1) * sizeof(int32_t));
    if (fread(p, sizeof(int32_t), n, stdin) != n) { exit(3); }
    return p;
}
static int8_t *rd8(size_t n) {
    int32_t *p = rd(n); int8_t *q = (int8_t *)malloc(n ? n : 1);
    for (size_t i = 0; i < n; ++i) { q[i] = (int8_t)p[i]; }
    free(p); return q;
}
static void wr(const int32_t *p, size_t n) { fwrite(p, sizeof(int32_t), n, stdout); }

int main(int argc, char **argv) {
    if (argc < 2) { return 2; }
    int32_t *h = rd(8);
    if (strcmp(argv[1], "dense") == 0 || strcmp(argv[1], "dw") == 0) {
        const int dense = argv[1][0] == 'd' && argv[1][1] == 'e';
        const int n_in = h[0], n_t = h[1], n_out = h[2], k = h[3], pad = h[4], has_res = h[5], has_a = h[6];
        const int words = dense ? (n_in + 31) / 32 : 1;
        int32_t *x = rd((size_t)n_in * n_t), *t1 = rd(n_in), *t2 = rd(n_in);
        uint32_t *w = (uint32_t *)rd((size_t)n_out * words);
        int32_t *m = rd(n_out), *b = rd(n_out), *a = rd(n_out), *res = rd((size_t)n_out * n_t);
        int8_t *s = rd8(n_out);
        bnn_requant_t rq = { m, s, b, has_a ? a : NULL };
        int32_t *out = (int32_t *)malloc((size_t)n_out * n_t * sizeof(int32_t));
        uint32_t *b1 = (uint32_t *)malloc((size_t)(n_t * words + n_in) * sizeof(uint32_t));
        uint32_t *b2 = (uint32_t *)malloc((size_t)(n_t * words + n_in) * sizeof(uint32_t));
        int64_t *sums = (int64_t *)malloc((size_t)(n_t + n_in) * sizeof(int64_t));
        int32_t *s2 = (int32_t *)malloc((size_t)(n_t + n_in) * sizeof(int32_t));
        if (dense) {
            bnn_dsa_pack_cols_s32(x, n_in, n_t, t1, t2, b1, b2, sums);
            bnn_dsa_scale_s64(sums, n_t, n_in, 0, s2);
            bnn_bdense_s32(b1, b2, n_in, n_t, s2, w, n_out, &rq, has_res ? res : NULL, out);
        } else {
            bnn_dsa_pack_rows_s32(x, n_in, n_t, t1, t2, b1, b2, sums);
            bnn_dsa_scale_s64(sums, n_in, n_t, 0, s2);
            bnn_bdwconv1d_s32(b1, b2, n_in, n_t, s2, w, k, pad, &rq, has_res ? res : NULL, out);
        }
        wr(out, (size_t)n_out * n_t);
        return 0;
    }
    if (strcmp(argv[1], "conv") == 0) {  /* binary conv2d, pooled s2, then int8 conv2d on the same input */
        const int c_in = h[0], hh = h[1], ww = h[2], c_out = h[3], k = h[4], stride = h[5], pad = h[6];
        const int oh = (hh + 2 * pad - k) / stride + 1, ow = (ww + 2 * pad - k) / stride + 1;
        int32_t *x = rd((size_t)c_in * hh * ww), *t1 = rd(c_in), *t2 = rd(c_in);
        uint32_t *w = (uint32_t *)rd((size_t)c_out * k * k);
        int32_t *m = rd(c_out), *b = rd(c_out), *a = rd(c_out);
        int8_t *s = rd8(c_out);
        int8_t *q = rd8((size_t)c_out * k * k);
        int32_t *f32 = rd((size_t)hh * ww);
        int16_t *f = (int16_t *)malloc((size_t)hh * ww * sizeof(int16_t));
        for (int i = 0; i < hh * ww; ++i) { f[i] = (int16_t)f32[i]; }
        bnn_requant_t rq = { m, s, b, a };
        uint32_t *b1 = (uint32_t *)malloc((size_t)hh * ww * sizeof(uint32_t));
        uint32_t *b2 = (uint32_t *)malloc((size_t)hh * ww * sizeof(uint32_t));
        int64_t *sums = (int64_t *)malloc((size_t)hh * ww * sizeof(int64_t));
        int32_t s2 = 0;
        int32_t *out = (int32_t *)malloc((size_t)c_out * oh * ow * sizeof(int32_t));
        bnn_dsa_pack_cols_s32(x, c_in, hh * ww, t1, t2, b1, b2, sums);
        bnn_dsa_scale_s64(sums, hh * ww, c_in, 1, &s2);
        bnn_bconv2d_s32(b1, b2, hh, ww, c_in, s2, w, c_out, k, stride, pad, &rq, out);
        wr(out, (size_t)c_out * oh * ow);
        bnn_conv2d_s8(f, hh, ww, h[7], q, c_out, k, stride, pad, &rq, out);
        wr(out, (size_t)c_out * oh * ow);
        return 0;
    }
    if (strcmp(argv[1], "cls") == 0) {
        const int n_in = h[0], n_out = h[1], shift = h[2];
        int32_t *x = rd(n_in), *m = rd(n_out), *b = rd(n_out);
        int8_t *s = rd8(n_out), *q = rd8((size_t)n_out * n_in);
        bnn_requant_t rq = { m, s, b, NULL };
        int32_t *out = (int32_t *)malloc((size_t)n_out * sizeof(int32_t));
        bnn_dense_s8(x, n_in, shift, q, n_out, &rq, out);
        wr(out, n_out);
        int32_t am = bnn_argmax_s32(out, n_out);
        wr(&am, 1);
        return 0;
    }
    return 2;
}
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    require_tool("gcc")
    d = tmp_path_factory.mktemp("kdrv")
    src = d / "drv.c"
    src.write_text(DRIVER)
    k = firmware_dir() / "kernels"
    names = [
        "bnn_dsa_pack_cols_s32",
        "bnn_dsa_pack_rows_s32",
        "bnn_dsa_scale_s64",
        "bnn_bdense_s32",
        "bnn_bdwconv1d_s32",
        "bnn_bconv2d_s32",
        "bnn_conv2d_s8",
        "bnn_dense_s8",
        "bnn_argmax_s32",
    ]
    return compile_host([src, *(k / f"{n}.c" for n in names)], d / "drv", include_dirs=[k], sanitize=True)


def _call(exe, op, *parts):
    data = b"".join(np.asarray(p, dtype="<i4").ravel().tobytes() for p in parts)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")  # the driver does not free its inputs
    proc = subprocess.run([str(exe), op], input=data, capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return np.frombuffer(proc.stdout, dtype="<i4").astype(np.int64)


def _rq(rng, n, big=False):
    m = rng.integers(-(2**31) + 1, 2**31, n) if big else rng.integers(-(2**20), 2**20, n)
    s = rng.integers(1, 63, n) if not big else rng.integers(20, 63, n)
    b = rng.integers(-(2**20), 2**20, n)
    a = rng.integers(-(2**15), 2**16, n)
    return m, s, b, a


@pytest.mark.parametrize("n_in", [1, 31, 32, 33, 65])
@pytest.mark.parametrize("n_t", [1, 3, 8])
def test_bdense_matches(driver, n_in, n_t):
    rng = np.random.default_rng(n_in * 100 + n_t)
    n_out = 7
    x = rng.integers(-20000, 20000, (n_in, n_t))
    t1, t2 = rng.integers(-3000, 3000, n_in), rng.integers(-3000, 3000, n_in)
    wbits = rng.random((n_out, n_in)) < 0.5
    m, s, b, a = _rq(rng, n_out)
    res = rng.integers(-(2**31), 2**31, (n_out, n_t))  # saturating residual adds
    for has_res, has_a in ((0, 1), (1, 1), (1, 0)):
        out = _call(
            driver,
            "dense",
            [n_in, n_t, n_out, 0, 0, has_res, has_a, 0],
            x,
            t1,
            t2,
            pack_bits(wbits).view(np.int32),
            m,
            b,
            a,
            res,
            s,
        )
        b1, b2, s2 = intref.dsa(x[None], t1, t2, (1,))
        w = np.where(wbits, -1, 1)
        acc = intref.dense_pm1(b1, w) * intref.ONE + s2 * intref.dense_pm1(b2, w)
        y = intref.requantize(acc, m, s, b)
        if has_a:
            y = intref.prelu(y, a)
        if has_res:
            y = intref.sat32(y + res[None])
        assert (out.reshape(n_out, n_t) == y[0]).all()


@pytest.mark.parametrize("n_t, k, pad", [(1, 1, 0), (8, 5, 2), (3, 5, 2), (32, 7, 3), (31, 3, 1), (8, 4, 1)])
def test_bdwconv1d_matches(driver, n_t, k, pad):
    rng = np.random.default_rng(n_t * 10 + k)
    n_ch = 9
    x = rng.integers(-20000, 20000, (n_ch, n_t))
    t1, t2 = rng.integers(-3000, 3000, n_ch), rng.integers(-3000, 3000, n_ch)
    wbits = rng.random((n_ch, k)) < 0.5
    m, s, b, a = _rq(rng, n_ch, big=True)
    res = rng.integers(-(2**31), 2**31, (n_ch, n_t))
    out = _call(
        driver,
        "dw",
        [n_ch, n_t, n_ch, k, pad, 1, 1, 0],
        x,
        t1,
        t2,
        pack_bits(wbits)[:, 0].view(np.int32),
        m,
        b,
        a,
        res,
        s,
    )
    b1, b2, s2 = intref.dsa(x[None], t1, t2, (2,))
    w = np.where(wbits, -1, 1)

    # reference with general padding: frame t reads t + j - pad
    def dw(a_):
        ap = np.zeros((1, n_ch, n_t + k + 2 * pad), dtype=np.int64)
        ap[:, :, pad : pad + n_t] = a_
        return sum(ap[:, :, j : j + n_t] * w[None, :, j : j + 1] for j in range(k))

    acc = dw(b1) * intref.ONE + s2 * dw(b2)
    y = intref.sat32(intref.prelu(intref.requantize(acc, m, s, b), a) + res[None])
    assert (out.reshape(n_ch, n_t) == y[0]).all()


@pytest.mark.parametrize(
    "c_in, hw, k, stride, pad",
    [(16, (16, 16), 5, 2, 2), (1, (5, 7), 3, 1, 1), (32, (9, 4), 5, 2, 2), (3, (6, 6), 1, 1, 0)],
)
def test_bconv2d_and_conv2d_s8_match(driver, c_in, hw, k, stride, pad):
    rng = np.random.default_rng(c_in + k)
    hh, ww = hw
    c_out = 5
    x = rng.integers(-20000, 20000, (c_in, hh, ww))
    t1, t2 = rng.integers(-3000, 3000, c_in), rng.integers(-3000, 3000, c_in)
    wbits = rng.random((c_out, k, k, c_in)) < 0.5
    m, s, b, a = _rq(rng, c_out)
    q = rng.integers(-127, 128, (c_out, k * k))
    f = rng.integers(-32768, 32768, (hh, ww))
    offset = -1234
    out = _call(
        driver,
        "conv",
        [c_in, hh, ww, c_out, k, stride, pad, offset],
        x,
        t1,
        t2,
        pack_bits(wbits.reshape(c_out, k * k, c_in))[..., 0].view(np.int32),
        m,
        b,
        a,
        s,
        q,
        f,
    )
    n_o = c_out * ((hh + 2 * pad - k) // stride + 1) * ((ww + 2 * pad - k) // stride + 1)
    b1, b2, s2 = intref.dsa(x[None], t1, t2, (1, 2, 3))
    w = np.where(wbits, -1, 1).transpose(0, 3, 1, 2)
    acc = intref.conv2d_pm1(b1, w, stride, pad) * intref.ONE + s2 * intref.conv2d_pm1(b2, w, stride, pad)
    y = intref.prelu(intref.requantize(acc, m, s, b), a)
    assert (out[:n_o] == y.ravel()).all()
    acc8 = intref.conv2d_pm1((f - offset)[None, None], q.reshape(c_out, 1, k, k), stride, pad)
    y8 = intref.prelu(intref.requantize(acc8, m, s, b), a)
    assert (out[n_o:] == y8.ravel()).all()


@pytest.mark.parametrize("n_in", [1, 33, 1024])
def test_dense_s8_clamps_and_argmax(driver, n_in):
    rng = np.random.default_rng(n_in)
    n_out = 12
    x = rng.integers(-(2**31), 2**31, n_in)  # far beyond int16 after >> 4: clamped
    m, s, b, _ = _rq(rng, n_out)
    m = m >> 10  # keep acc * M inside the classifier's bound
    q = rng.integers(-127, 128, (n_out, n_in))
    out = _call(driver, "cls", [n_in, n_out, 4, 0, 0, 0, 0, 0], x, m, b, s, q)
    v = np.clip(intref.rshr(x, 4), -32768, 32767)
    y = intref.requantize((q @ v)[None], m, s, b)[0]
    assert (out[:n_out] == y).all()
    assert out[n_out] == int(np.argmax(y))
