/* bnn_bdwconv1d_mve_s32 - bnn_bdwconv1d_s32 (same arguments, same results) on Helium: four
 * channels per vector. For each frame the taps are aligned with one VSHL pair, XOR with the
 * weights and masked to the valid taps (k <= 8, so the popcount is a 3-step SWAR on 32-bit
 * lanes: MVE has no VCNT), d = n_valid - 2 popcount; the output transform is the vector one of
 * bnn_bdense_vsparse_s32 (VMULH, VSHL, VQADD, VQRDMULH for PReLU), written with a strided
 * scatter. Channel counts that are not a multiple of 4 finish on the scalar fast kernel; shapes or
 * constants the vector path cannot take exactly (S < 32, |A| >= 2^15) run the scalar fast kernel. */
#include "bnn_kernels_select.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>

#include "bnn_fastrq.h"
#include "bnn_scratch.h"

#define T_MAX 32
#define C_MAX BNN_DW_C_MAX

#define SCR (bnn_scratch.bdwconv1d_mve) /* this kernel's scratch (bnn_scratch.h) */

static inline uint32x4_t pop8(uint32x4_t x)
{
    x = vsubq_u32(x, vandq_u32(vshrq_n_u32(x, 1), vdupq_n_u32(0x55u)));
    x = vaddq_u32(vandq_u32(x, vdupq_n_u32(0x33u)), vandq_u32(vshrq_n_u32(x, 2), vdupq_n_u32(0x33u)));
    return vandq_u32(vaddq_u32(x, vshrq_n_u32(x, 4)), vdupq_n_u32(0x0fu));
}

void bnn_bdwconv1d_mve_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                           const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                           const int32_t *res, int32_t *out)
{
    const int prelu = rq->a != NULL;
    int ok = k <= 8 && n_frames <= T_MAX && n_ch <= C_MAX && pad < 32 && n_ch >= 4;
    if (ok) {
        (void)bnn_frq_prepare(rq, n_ch, SCR.rq);
        ok = bnn_frq_vec_consts(SCR.rq, n_ch, prelu, SCR.vm, SCR.vk, SCR.vsh, SCR.v32, SCR.vb, SCR.va);
    }
    if (!ok) {
        bnn_bdwconv1d_fast_s32(bits1, bits2, n_ch, n_frames, s2, w, k, pad, rq, res, out);
        return;
    }
    const uint32_t kmask = (1u << k) - 1u;
    const uint32x4_t lanes = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)n_frames);
    const int n4 = n_ch & ~3;
    for (int c = 0; c < n4; c += 4) {
        const uint32x4_t b1 = vldrwq_u32(bits1 + c), b2 = vldrwq_u32(bits2 + c), wc = vldrwq_u32(w + c);
        const int32x4_t s2c = vldrwq_s32(s2 + c);
        const int32x4_t vm = vldrwq_s32(SCR.vm + c), vk = vldrwq_s32(SCR.vk + c), vsh = vldrwq_s32(SCR.vsh + c);
        const int32x4_t vb = vldrwq_s32(SCR.vb + c), va = vldrwq_s32(SCR.va + c);
        const uint32x4_t v32 = vldrwq_u32(SCR.v32 + c);
        const uint32x4_t off0 = vaddq_n_u32(lanes, (uint32_t)(c * n_frames));
        for (int t = 0; t < n_frames; ++t) {
            const int first = t - pad;
            uint32_t valid = kmask;
            const int shr = first >= 0 ? first : 0, shl = first >= 0 ? 0 : -first;
            if (first < 0) {
                valid &= ~((1u << -first) - 1u);
            }
            if (n_frames - first < 32) {
                valid &= (1u << (n_frames - first)) - 1u;
            }
            const int32_t nv = (int32_t)bnn_popcount32(valid);
            const uint32x4_t a1 = vshlq_r_u32(vshlq_r_u32(b1, -shr), shl);
            const uint32x4_t a2 = vshlq_r_u32(vshlq_r_u32(b2, -shr), shl);
            const uint32x4_t vv = vdupq_n_u32(valid);
            const int32x4_t p1 = vreinterpretq_s32_u32(pop8(vandq_u32(veorq_u32(a1, wc), vv)));
            const int32x4_t p2 = vreinterpretq_s32_u32(pop8(vandq_u32(veorq_u32(a2, wc), vv)));
            const int32x4_t d1 = vsubq_s32(vdupq_n_s32(nv), vshlq_n_s32(p1, 1));
            const int32x4_t d2 = vsubq_s32(vdupq_n_s32(nv), vshlq_n_s32(p2, 1));
            const int32x4_t acc = vaddq_s32(vshlq_n_s32(d1, BNN_Q_ACT), vmulq_s32(s2c, d2));
            /* S >= 33: (hi + 2^(S-33)) >> (S-32); S == 32: hi + (lo >> 31) */
            const uint32x4_t rnd = vandq_u32(vshrq_n_u32(vreinterpretq_u32_s32(vmulq_s32(acc, vm)), 31), v32);
            int32x4_t y = vaddq_s32(vaddq_s32(vmulhq_s32(acc, vm), vk), vreinterpretq_s32_u32(rnd));
            y = vqaddq_s32(vshlq_s32(y, vsh), vb);
            if (prelu) {
                y = vpselq_s32(vqrdmulhq_s32(y, va), y, vcmpltq_n_s32(y, 0));
            }
            const uint32x4_t off = vaddq_n_u32(off0, (uint32_t)t);
            if (res != NULL) {
                y = vqaddq_s32(y, vldrwq_gather_shifted_offset_s32(res, off));
            }
            vstrwq_scatter_shifted_offset_s32(out, off, y);
        }
    }
    if (n4 < n_ch) {
        bnn_requant_t tail = *rq;
        tail.m += n4;
        tail.s += n4;
        tail.b += n4;
        if (tail.a != NULL) {
            tail.a += n4;
        }
        bnn_bdwconv1d_fast_s32(bits1 + n4, bits2 + n4, n_ch - n4, n_frames, s2 + n4, w + n4, k, pad, &tail,
                               res != NULL ? res + n4 * n_frames : NULL, out + n4 * n_frames);
    }
}
#endif
