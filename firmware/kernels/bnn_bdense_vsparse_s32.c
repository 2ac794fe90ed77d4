/* bnn_bdense_vsparse_s32 - binary dense per frame (1x1 conv / linear), fast variant of
 * bnn_bdense_s32 with the same arguments and the same results, but `w` in the "fast layout":
 *   w[i * out_words + k]  (i < n_in, k < out_words = ceil(n_out / 32)): column words, bit j of
 *                         word k = sign bit of output 32 k + j at input i (1 = negative);
 *   then n_out int16 colsum[o] (negative weights of output o), padded to a whole word.
 * (bifsmn_mcu/bench/kernel_layout.py: pack_bdense_fast.) The dot products of both bit planes of
 * every frame come from bnn_bmm_fast_i32 (vertical sparse carry-save kernel, picked per core by
 * bnn_kernels_select.h); the output transform is bnn_bdense_s32's, computed by bnn_fastrq.h.
 */
#include "bnn_kernels.h"
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"
#include "bnn_vs_fused.h"

static int32_t s_d[2][BNN_BMM_MAX_OUT];
static bnn_frq_t s_rq[BNN_BMM_MAX_OUT];

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#if defined(__GNUC__) && !defined(__clang__)
/* as in bnn_vsparse_mve.h: without scheduling GCC spills fewer Q registers (8 on MVE) */
#pragma GCC optimize("no-schedule-insns", "no-schedule-insns2")
#endif
/* Helium output transform, four channels per vector, the constants as separate arrays:
 * VMULH gives the product's high word, VSHL by -(S-32) the arithmetic shift, VQADD the
 * saturating bias / residual adds; PReLU (y * A + 2^14) >> 15 is VQRDMULH(y, A << 16) (exact for
 * |A| < 2^15, checked), selected for the negative lanes. Outputs are strided: scatter/gather. */
static int32_t s_vm[BNN_BMM_MAX_OUT], s_vk[BNN_BMM_MAX_OUT], s_vsh[BNN_BMM_MAX_OUT], s_vb[BNN_BMM_MAX_OUT],
    s_va[BNN_BMM_MAX_OUT];

static uint32_t s_v32[BNN_BMM_MAX_OUT]; /* 1 where S == 32: the low word's top bit rounds */

static int s_any32;

static int prepare_vec(int n_out, int prelu)
{
    s_any32 = 0;
    for (int o = 0; o < n_out; ++o) {
        s_any32 |= s_rq[o].sh == 0;
        if (s_rq[o].sh < 0 || (prelu && (s_rq[o].a >= 32768 || s_rq[o].a <= -32768))) {
            return 0;
        }
        s_vm[o] = s_rq[o].m;
        s_vk[o] = s_rq[o].sh > 0 ? (int32_t)(s_rq[o].rnd >> 32) : 0;
        s_v32[o] = s_rq[o].sh == 0;
        s_vsh[o] = -s_rq[o].sh;
        s_vb[o] = s_rq[o].b;
        s_va[o] = (int32_t)((uint32_t)s_rq[o].a << 16);
    }
    return 1;
}

static inline void transform_vec(int n_out, int n_frames, int32_t s2t, int32_t *op, const int32_t *rp, int prelu,
                                 int any32)
{
    const uint32x4_t lanes = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)n_frames);
    int o = 0;
    for (; o + 4 <= n_out; o += 4) {
        const int32x4_t d1 = vldrwq_s32(s_d[0] + o), d2 = vldrwq_s32(s_d[1] + o);
        const int32x4_t acc = vmlaq_n_s32(vshlq_n_s32(d1, BNN_Q_ACT), d2, s2t);
        const int32x4_t vm = vldrwq_s32(s_vm + o);
        int32x4_t y = vaddq_s32(vmulhq_s32(acc, vm), vldrwq_s32(s_vk + o));
        if (any32) { /* S == 32 lanes round with the low word's top bit */
            const uint32x4_t rnd = vandq_u32(vshrq_n_u32(vreinterpretq_u32_s32(vmulq_s32(acc, vm)), 31),
                                             vldrwq_u32(s_v32 + o));
            y = vaddq_s32(y, vreinterpretq_s32_u32(rnd));
        }
        y = vqaddq_s32(vshlq_s32(y, vldrwq_s32(s_vsh + o)), vldrwq_s32(s_vb + o));
        if (prelu) {
            y = vpselq_s32(vqrdmulhq_s32(y, vldrwq_s32(s_va + o)), y, vcmpltq_n_s32(y, 0));
        }
        const uint32x4_t off = vaddq_n_u32(lanes, (uint32_t)(o * n_frames));
        if (rp != NULL) {
            y = vqaddq_s32(y, vldrwq_gather_shifted_offset_s32(rp, off));
        }
        vstrwq_scatter_shifted_offset_s32(op, off, y);
    }
    for (; o < n_out; ++o) {
        const int32_t acc = s_d[0][o] * BNN_ONE + s2t * s_d[1][o];
        int32_t y = bnn_frq_requant33(acc, &s_rq[o]);
        if (prelu) {
            y = bnn_frq_prelu(y, &s_rq[o]);
        }
        if (rp != NULL) {
            y = bnn_frq_qadd(y, rp[o * n_frames]);
        }
        op[o * n_frames] = y;
    }
}
#endif

#if !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
/* Fused path (scalar cores, bnn_vs_fused.h): both planes' column counts go straight into the
 * output transform, without the d arrays. */
static const uint32_t *s_fl[BNN_VS_LIST_MAX];
static const uint32_t s_fzero[BNN_BMM_MAX_OUT / 32];
static uint32_t s_fp1[BNN_BMM_MAX_OUT / 32][8];

static inline int fz_frame(const uint32_t *a1, const uint32_t *a2, int n_in, int32_t s2t, const uint32_t *w,
                           const int16_t *colsum, int n_out, int T, int32_t *op, const int32_t *rp, int prelu,
                           int has_res)
{
    const bnn_vsf_scratch_t sc = {s_fl, s_fzero, s_fp1, s_rq};
    return bnn_vsf_frame(&sc, a1, a2, n_in, s2t, w, colsum, NULL, n_out, T, op, rp, prelu, has_res, 0);
}
#endif

/* One frame's outputs; `fast33`, `prelu` and `res` are constants in each specialised call. */
static inline void transform(int n_out, int n_frames, int32_t s2t, int32_t *op, const int32_t *rp, int fast33,
                             int prelu)
{
    const int32_t *d1 = s_d[0], *d2 = s_d[1];
    const bnn_frq_t *c = s_rq;
    for (int o = 0; o < n_out; ++o, ++c, op += n_frames) {
        /* |d| <= n_in and s2 <= BNN_S2_MAX keep acc inside int32 */
        const int32_t acc = d1[o] * BNN_ONE + s2t * d2[o];
        int32_t y = fast33 ? bnn_frq_requant33(acc, c) : bnn_frq_requant(acc, c);
        if (prelu) {
            y = bnn_frq_prelu(y, c);
        }
        if (rp != NULL) {
            y = bnn_frq_qadd(y, *rp);
            rp += n_frames;
        }
        *op = y;
    }
}

void bnn_bdense_vsparse_s32(const uint32_t *bits1, const uint32_t *bits2, int n_in, int n_frames,
                            const int32_t *s2, const uint32_t *w, int n_out, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out)
{
    const int words = (n_in + 31) / 32;
    const int out_words = (n_out + 31) / 32;
    const int16_t *colsum = (const int16_t *)(w + (size_t)n_in * (size_t)out_words);
    const int prelu = rq->a != NULL;
    if (n_in > BNN_I32_MAX_IN || n_out > BNN_BMM_MAX_OUT) { /* acc beyond int32, or beyond the scratch */
        for (int t = 0; t < n_frames; ++t) {
            for (int o = 0; o < n_out; ++o) {
                int32_t d1, d2;
                if (n_out > BNN_BMM_MAX_OUT) { /* one output at a time: column o of the layout */
                    d1 = d2 = 0;
                    for (int i = 0; i < n_in; ++i) {
                        const uint32_t wi = (w[(size_t)i * (size_t)out_words + (size_t)(o >> 5)] >> (o & 31)) & 1u;
                        d1 += (((bits1[t * words + (i >> 5)] >> (i & 31)) & 1u) ^ wi) ? -1 : 1;
                        d2 += (((bits2[t * words + (i >> 5)] >> (i & 31)) & 1u) ^ wi) ? -1 : 1;
                    }
                } else {
                    if (o == 0) {
                        bnn_bmm_fast_i32(bits1 + t * words, 0, 1, n_in, w, colsum, n_out, s_d[0]);
                        bnn_bmm_fast_i32(bits2 + t * words, 0, 1, n_in, w, colsum, n_out, s_d[1]);
                    }
                    d1 = s_d[0][o];
                    d2 = s_d[1][o];
                }
                const int64_t acc = (int64_t)d1 * BNN_ONE + (int64_t)s2[t] * d2;
                int32_t y = bnn_requant(acc, rq->m[o], rq->s[o], rq->b[o]);
                if (prelu) {
                    y = bnn_prelu(y, rq->a[o]);
                }
                if (res != NULL) {
                    y = bnn_sat_add32(y, res[o * n_frames + t]);
                }
                out[o * n_frames + t] = y;
            }
        }
        return;
    }
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
    const int fast33 = bnn_frq_prepare(rq, n_out, s_rq);
    const int vec = fast33 && prepare_vec(n_out, prelu);
#else
    const int fused = bnn_frq_prepare_fold(rq, n_out, (uint32_t)n_in * (uint32_t)(BNN_ONE + BNN_S2_MAX), prelu, s_rq);
    const int fast33 = fused || bnn_frq_prepare(rq, n_out, s_rq);
#endif
    for (int t = 0; t < n_frames; ++t) {
#if !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
        if (fused) {
            const uint32_t *a1 = bits1 + t * words, *a2 = bits2 + t * words;
            int32_t *opf = out + t;
            const int32_t *rpf = res != NULL ? res + t : NULL;
            int done;
            if (n_frames == 8 && prelu && res == NULL) {
                done = fz_frame(a1, a2, n_in, s2[t], w, colsum, n_out, 8, opf, NULL, 1, 0);
            } else if (n_frames == 8 && prelu) {
                done = fz_frame(a1, a2, n_in, s2[t], w, colsum, n_out, 8, opf, rpf, 1, 1);
            } else {
                done = fz_frame(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, opf, rpf, prelu, res != NULL);
            }
            if (done) {
                continue;
            }
        }
#endif
        bnn_bmm_fast_i32(bits1 + t * words, 0, 1, n_in, w, colsum, n_out, s_d[0]);
        bnn_bmm_fast_i32(bits2 + t * words, 0, 1, n_in, w, colsum, n_out, s_d[1]);
        int32_t *op = out + t;
        const int32_t *rp = res != NULL ? res + t : NULL;
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
        if (vec) {
            if (s_any32) {
                transform_vec(n_out, n_frames, s2[t], op, rp, prelu, 1);
            } else {
                transform_vec(n_out, n_frames, s2[t], op, rp, prelu, 0);
            }
            continue;
        }
#endif
        if (fast33 && prelu && rp == NULL) {
            transform(n_out, n_frames, s2[t], op, NULL, 1, 1);
        } else if (fast33 && rp != NULL) {
            transform(n_out, n_frames, s2[t], op, rp, 1, prelu);
        } else {
            transform(n_out, n_frames, s2[t], op, rp, 0, prelu);
        }
    }
}
