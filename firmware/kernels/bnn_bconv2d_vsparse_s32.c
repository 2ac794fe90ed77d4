/* bnn_bconv2d_vsparse_s32 - binary conv2d, fast variant of bnn_bconv2d_s32 with the same
 * arguments and results, `w` in the "fast conv layout" (bifsmn_mcu/bench/kernel_layout.py:
 * pack_bconv_fast):
 *   w[o * k*k + tap]            the portable layout (one word of in_c channel bits), kept first so
 *                               the kernels that read it (Helium, fallbacks) take the same array;
 *   then n_in * out_words       column words, n_in = k*k*in_c rows, row tap * in_c + c, bit j of
 *                               word q = sign bit of output 32 q + j (1 = negative);
 *   then out_c int16 colsum     negative weights of output o, padded to a whole word;
 *   then k*k * out_c uint8      tapneg[tap * out_c + o] = negative weights of output o at that tap,
 *                               padded to a whole word.
 * Each output position is one n_in-bit activation vector per plane (the receptive field gathered
 * tap by tap, padded taps 0): the vertical sparse carry-save count of bnn_vsparse_common.h gives
 * all outputs' column sums at once and bnn_vs_fused.h the output transform. A padded tap (bit 0)
 * counted as +-1 is taken back out: corr[o] = sum over padded taps of (in_c - 2 tapneg). Shapes or
 * constants outside the fused path run bnn_bconv2d_fast_s32 on the portable part of `w`. */
#include "bnn_kernels_select.h"
#include "bnn_vs_fused.h"

#define CV_MAX_IN 448  /* n_in: one counting pass, acc inside int32 */
#define CV_MAX_OUT 64  /* out_c (static scratch) */
#define CV_MAX_K 7
#define CV_WORDS ((CV_MAX_IN + 31) / 32)

static const uint32_t *s_cl[CV_MAX_IN / 2 + 16 + 4];
static const uint32_t s_czero[CV_MAX_OUT / 32];
static uint32_t s_cp1[CV_MAX_OUT / 32][8];
static bnn_frq_t s_crq[CV_MAX_OUT];

/* the receptive field of one output position, tap by tap (padded taps 0), in_c bits per tap */
static inline void cv_gather(const uint32_t *bits, int in_h, int in_w, int in_c, int k, int iy0, int ix0,
                             uint32_t cmask, int words, uint32_t *v)
{
    for (int j = 0; j < words; ++j) {
        v[j] = 0u;
    }
    int off = 0;
    for (int ky = 0; ky < k; ++ky) {
        const int iy = iy0 + ky;
        for (int kx = 0; kx < k; ++kx, off += in_c) {
            const int ix = ix0 + kx;
            if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
                continue;
            }
            const uint32_t x = bits[iy * in_w + ix] & cmask;
            const int sh = off & 31;
            v[off >> 5] |= x << sh;
            if (sh + in_c > 32) {
                v[(off >> 5) + 1] |= x >> (32 - sh);
            }
        }
    }
}

/* cv_gather for 16 channels, 5x5 taps, all inside the image: two taps per word, no tests */
static inline void cv_gather16x5(const uint32_t *bits, int in_w, int iy0, int ix0, uint32_t *v)
{
    const uint32_t *r = bits + iy0 * in_w + ix0;
    uint32_t acc = 0u;
#pragma GCC unroll 25
    for (int t = 0; t < 25; ++t) {
        const uint32_t x = r[(t / 5) * in_w + t % 5];
        if (t & 1) {
            v[t >> 1] = acc | (x << 16);
        } else {
            acc = x & 0xffffu;
        }
    }
    v[12] = acc;
}

void bnn_bconv2d_vsparse_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                             int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                             const bnn_requant_t *rq, int32_t *out)
{
    const int n_in = k * k * in_c;
    const int prelu = rq->a != NULL;
    if (in_c > 32 || in_c < 1 || k > CV_MAX_K || n_in > CV_MAX_IN || out_c > CV_MAX_OUT ||
        !bnn_frq_prepare_fold(rq, out_c, (uint32_t)n_in * (uint32_t)(BNN_ONE + BNN_S2_MAX), prelu, s_crq)) {
        bnn_bconv2d_fast_s32(bits1, bits2, in_h, in_w, in_c, s2, w, out_c, k, stride, pad, rq, out);
        return;
    }
    const int out_words = (out_c + 31) >> 5;
    const uint32_t *wt = w + (size_t)out_c * (size_t)(k * k);
    const int16_t *colsum = (const int16_t *)(wt + (size_t)n_in * (size_t)out_words);
    const uint8_t *tapneg = (const uint8_t *)(colsum + ((out_c + 1) & ~1));
    const int out_h = (in_h + 2 * pad - k) / stride + 1;
    const int out_w = (in_w + 2 * pad - k) / stride + 1;
    const int T = out_h * out_w;
    const int words = (n_in + 31) >> 5;
    const uint32_t cmask = in_c >= 32 ? 0xffffffffu : ((1u << in_c) - 1u);
    const bnn_vsf_scratch_t sc = {s_cl, s_czero, s_cp1, s_crq};
    uint32_t v1[CV_WORDS], v2[CV_WORDS];
    int16_t corr[CV_MAX_OUT];
    for (int oy = 0; oy < out_h; ++oy) {
        const int iy0 = oy * stride - pad;
        for (int ox = 0; ox < out_w; ++ox) {
            const int ix0 = ox * stride - pad;
            int32_t *op = out + oy * out_w + ox;
            const int border = iy0 < 0 || ix0 < 0 || iy0 + k > in_h || ix0 + k > in_w;
            if (!border && in_c == 16 && k == 5 && cmask == 0xffffu) {
                cv_gather16x5(bits1, in_w, iy0, ix0, v1);
                cv_gather16x5(bits2, in_w, iy0, ix0, v2);
            } else {
                cv_gather(bits1, in_h, in_w, in_c, k, iy0, ix0, cmask, words, v1);
                cv_gather(bits2, in_h, in_w, in_c, k, iy0, ix0, cmask, words, v2);
            }
            int done;
            if (border) {
                for (int o = 0; o < out_c; ++o) {
                    corr[o] = 0;
                }
                for (int ky = 0; ky < k; ++ky) {
                    const int iy = iy0 + ky;
                    for (int kx = 0; kx < k; ++kx) {
                        const int ix = ix0 + kx;
                        if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
                            continue;
                        }
                        const uint8_t *tn = tapneg + (ky * k + kx) * out_c;
                        for (int o = 0; o < out_c; ++o) {
                            corr[o] = (int16_t)(corr[o] + in_c - 2 * tn[o]);
                        }
                    }
                }
                done = bnn_vsf_frame(&sc, v1, v2, n_in, s2, wt, colsum, corr, out_c, T, op, NULL, prelu, 0, 1);
            } else if (prelu && T == 64) {
                done = bnn_vsf_frame(&sc, v1, v2, n_in, s2, wt, colsum, NULL, out_c, 64, op, NULL, 1, 0, 0);
            } else {
                done = bnn_vsf_frame(&sc, v1, v2, n_in, s2, wt, colsum, NULL, out_c, T, op, NULL, prelu, 0, 0);
            }
            if (!done) { /* cannot happen for n_in <= CV_MAX_IN; kept exact anyway */
                bnn_bconv2d_fast_s32(bits1, bits2, in_h, in_w, in_c, s2, w, out_c, k, stride, pad, rq, out);
                return;
            }
        }
    }
}
