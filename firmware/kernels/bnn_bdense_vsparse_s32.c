/* bnn_bdense_vsparse_s32 - binary dense per frame (1x1 conv / linear), fast variant of
 * bnn_bdense_s32 with the same arguments and the same results, but `w` in the "fast layout":
 *   w[i * out_words + k]  (i < n_in, k < out_words = ceil(n_out / 32)): column words, bit j of
 *                         word k = sign bit of output 32 k + j at input i (1 = negative);
 *   then n_out int16 colsum[o] (negative weights of output o), padded to a whole word.
 * (bifsmn_mcu/bench/kernel_layout.py: pack_bdense_fast.) The dot products of both bit planes of
 * every frame come from bnn_bmm_fast_i32 (vertical sparse carry-save kernel, picked per core by
 * bnn_kernels_select.h); the output transform is bnn_bdense_s32's, computed by bnn_fastrq.h.
 * Scalar cores (bnn_vs_fused.h) and Helium (frame_vec) take the column counts of both planes
 * straight into the transform instead, where every row list fits one counting pass.
 */
#include "bnn_kernels.h"
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"
#include "bnn_vs_fused.h"

static int32_t s_d[2][BNN_BMM_MAX_OUT];
static bnn_frq_t s_rq[BNN_BMM_MAX_OUT];

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include "bnn_vsparse_mve.h"
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

/* The vector constants straight from rq, four channels per step (s_rq is filled only when a
 * scalar path needs it); returns 1 when every channel has S >= 32 and, with PReLU, |A| < 2^15. */
static int prepare_vec(const bnn_requant_t *rq, int n_out, int prelu)
{
    int32x4_t mn = vdupq_n_s32(0), amax = vdupq_n_s32(0);
    uint32x4_t any = vdupq_n_u32(0);
    for (int o = 0; o < n_out; o += 4) {
        const mve_pred16_t pr = vctp32q((uint32_t)(n_out - o));
        /* lanes past n_out: sh = 1 (no effect on the checks) */
        const int32x4_t sh = vsubq_m_n_s32(vdupq_n_s32(1), vldrbq_z_s32(rq->s + o, pr), 32, pr);
        /* 1 where S == 32 (for sh >= 0; a negative sh fails the check anyway) */
        const uint32x4_t v32 = vshrq_n_u32(vreinterpretq_u32_s32(vsubq_n_s32(sh, 1)), 31);
        mn = vminq_s32(mn, sh);
        any = vorrq_u32(any, v32);
        vstrwq_s32(s_vm + o, vldrwq_z_s32(rq->m + o, pr));
        vstrwq_s32(s_vk + o, vshlq_s32(vdupq_n_s32(1), vsubq_n_s32(sh, 1))); /* 2^(S-33), 0 for S == 32 */
        vstrwq_u32(s_v32 + o, v32);
        vstrwq_s32(s_vsh + o, vnegq_s32(sh));
        vstrwq_s32(s_vb + o, vldrwq_z_s32(rq->b + o, pr));
        if (prelu) {
            const int32x4_t a = vldrwq_z_s32(rq->a + o, pr);
            amax = vmaxq_s32(amax, vqabsq_s32(a));
            vstrwq_s32(s_va + o, vshlq_n_s32(a, 16));
        }
    }
    s_any32 = vmaxvq_u32(0u, any) != 0u;
    return vminvq_s32(0, mn) >= 0 && vmaxvq_s32(0, amax) < 32768;
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

/* Fused Helium path: both planes' column counts go from the byte lanes of the carry-save count
 * (bnn_vsparse_mve.h) straight into the vector transform, without the d arrays. With the list
 * of plane p (base_p, sign g_p = +1 / -1 for minority 1 / 0), d_p = base_p + g_p (4 S_p - 2 cs), so
 *   acc = ONE d1 + s2 d2 = K0 + 4 ONE g1 S1 + 4 s2 g2 S2 - 2 (ONE g1 + s2 g2) cs
 * (int32 throughout: the true acc fits, as on the d path). Byte m of lane q of plane r of column
 * group g (outputs 128 g + 32 q + 8 m + r) is stored at s_cb[p][128 g + 16 r + 4 q + m] and read
 * back four outputs (q = 0..3) per byte gather. Returns 0 (nothing written) when a list needs
 * more than one counting pass. */
static const uint32_t s_vzero[BNN_BMM_MAX_OUT / 32 + 4];
static const uint32_t *s_vl[BNN_VS_LIST_MAX];
static uint8_t s_cb[2][BNN_BMM_MAX_OUT + 128];

static int counts_vec(const uint32_t *av, int n_in, const uint32_t *w, int n_out, uint8_t *cb, bnn_vs_list_t *info)
{
    const int out_words = (n_out + 31) >> 5;
    *info = bnn_vs_build_list(av, n_in, w, out_words, s_vzero, s_vl);
    if (info->n > BNN_VS_SEG) {
        return 0;
    }
    for (int k = 0; k < out_words; k += 4, cb += 128) {
        const int nq = (out_words - k) < 4 ? (out_words - k) : 4;
        uint32x4_t p[8];
        count_planes_q((const uint32_t *const *)s_vl, info->n, k, nq, vctp32q((uint32_t)nq), p);
        planes_to_bytes_q(p);
        for (int r = 0; r < 8; ++r) {
            vstrwq_u32((uint32_t *)(void *)(cb + 16 * r), p[r]);
        }
    }
    return 1;
}

static inline int frame_vec(const uint32_t *a1, const uint32_t *a2, int n_in, int32_t s2t, const uint32_t *w,
                            const int16_t *colsum, int n_out, int n_frames, int32_t *op, const int32_t *rp,
                            int prelu, int any32)
{
    bnn_vs_list_t i1, i2;
    if (!counts_vec(a1, n_in, w, n_out, s_cb[0], &i1) || !counts_vec(a2, n_in, w, n_out, s_cb[1], &i2)) {
        return 0;
    }
    const int32_t g1 = i1.nm ? -1 : 1, g2 = i2.nm ? -1 : 1;
    const int32_t k0 = i1.base * BNN_ONE + s2t * i2.base;
    const int32_t k1 = 4 * BNN_ONE * g1, k2 = 4 * s2t * g2, k3 = -2 * (BNN_ONE * g1 + s2t * g2);
    const uint32_t T = (uint32_t)n_frames;
    const uint32x4_t lane32 = vmulq_n_u32(vidupq_n_u32(0, 1), 32u);
    const uint32x4_t lane4 = vidupq_n_u32(0, 4);
    const uint32x4_t lane32t = vmulq_n_u32(lane32, T);
    const int32x4_t vk0 = vdupq_n_s32(k0);
    for (int g = 0; 128 * g < n_out; ++g) {
        for (int r = 0; r < 8; ++r) {
            for (int m = 0; m < 4; ++m) {
                const uint32_t o0 = (uint32_t)(128 * g + 8 * m + r);
                const uint32x4_t offo = vaddq_n_u32(lane32, o0);
                const mve_pred16_t pr = vcmphiq_u32(vdupq_n_u32((uint32_t)n_out), offo);
                const uint32x4_t offb = vaddq_n_u32(lane4, (uint32_t)(128 * g + 16 * r + m));
                const int32x4_t c1 = vreinterpretq_s32_u32(vldrbq_gather_offset_u32(s_cb[0], offb));
                const int32x4_t c2 = vreinterpretq_s32_u32(vldrbq_gather_offset_u32(s_cb[1], offb));
                const int32x4_t cs = vldrhq_gather_shifted_offset_z_s32(colsum, offo, pr);
                int32x4_t acc = vmlaq_n_s32(vk0, c1, k1);
                acc = vmlaq_n_s32(acc, c2, k2);
                acc = vmlaq_n_s32(acc, cs, k3);
                const int32x4_t vm = vldrwq_gather_shifted_offset_s32(s_vm, offo);
                int32x4_t y = vaddq_s32(vmulhq_s32(acc, vm), vldrwq_gather_shifted_offset_s32(s_vk, offo));
                if (any32) { /* S == 32 lanes round with the low word's top bit */
                    const uint32x4_t rnd = vandq_u32(vshrq_n_u32(vreinterpretq_u32_s32(vmulq_s32(acc, vm)), 31),
                                                     vldrwq_gather_shifted_offset_u32(s_v32, offo));
                    y = vaddq_s32(y, vreinterpretq_s32_u32(rnd));
                }
                y = vqaddq_s32(vshlq_s32(y, vldrwq_gather_shifted_offset_s32(s_vsh, offo)),
                               vldrwq_gather_shifted_offset_s32(s_vb, offo));
                if (prelu) {
                    y = vpselq_s32(vqrdmulhq_s32(y, vldrwq_gather_shifted_offset_s32(s_va, offo)), y,
                                   vcmpltq_n_s32(y, 0));
                }
                const uint32x4_t offt = vaddq_n_u32(lane32t, o0 * T);
                if (rp != NULL) {
                    y = vqaddq_s32(y, vldrwq_gather_shifted_offset_z_s32(rp, offt, pr));
                }
                vstrwq_scatter_shifted_offset_p_s32(op, offt, y, pr);
            }
        }
    }
    return 1;
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
    const int vec = prepare_vec(rq, n_out, prelu);
    int fast33 = 0, rq_ready = 0;
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
#else
        if (vec) {
            const uint32_t *a1 = bits1 + t * words, *a2 = bits2 + t * words;
            const int32_t *rpf = res != NULL ? res + t : NULL;
            int done;
            if (!s_any32 && prelu && res == NULL) {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, NULL, 1, 0);
            } else if (!s_any32 && prelu) {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, rpf, 1, 0);
            } else if (!s_any32 && res == NULL) {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, NULL, 0, 0);
            } else {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, rpf, prelu, s_any32);
            }
            if (done) {
                continue;
            }
        }
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
        if (!rq_ready) { /* the scalar constants, once, for the paths below */
            fast33 = bnn_frq_prepare(rq, n_out, s_rq);
            rq_ready = 1;
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
