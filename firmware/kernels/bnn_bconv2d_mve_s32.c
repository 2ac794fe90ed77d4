/* bnn_bconv2d_mve_s32 - bnn_bconv2d_s32 (same arguments, same results) on Helium, <= 16 input
 * channels: as bnn_bconv2d_fast_s32 both bit planes share one word, and four output channels
 * share a vector: per valid tap one XOR of the broadcast input word with the four channels'
 * doubled weights, a SWAR popcount to byte lanes (no VCNT in MVE) and a VADD; then the vector
 * output transform (VMULH, VSHL, VQADD, VQRDMULH for PReLU) and a strided scatter. Shapes or
 * constants the vector path cannot take exactly run the scalar fast kernel. The model's conv2 shape
 * (16 channels, 5x5, stride 2, pad 2, 16x16) goes to bnn_bconv2d_vsparse_s32's position-lane path
 * (fewer instructions on M55 than the four-channel vector path). */
#include "bnn_kernels_select.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>

#if defined(__GNUC__) && !defined(__clang__)
/* as in bnn_vsparse_mve.h: without scheduling GCC spills fewer Q registers (8 on MVE) */
#pragma GCC optimize("no-schedule-insns", "no-schedule-insns2")
#endif

#include "bnn_fastrq.h"
#include "bnn_scratch.h"

#define POS_MAX BNN_BC_POS_MAX
#define W_MAX BNN_BC_W_MAX
#define C_MAX BNN_BC_C_MAX

#define SCR (bnn_scratch.bconv2d_mve) /* this kernel's scratch (bnn_scratch.h) */

void bnn_bconv2d_mve_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                         int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                         const bnn_requant_t *rq, int32_t *out)
{
    if (in_c == 16 && k == 5 && stride == 2 && pad == 2 && in_h == 16 && in_w == 16) {
        /* the model's conv2: the position-lane count (one Helium vector per row) runs fewer instructions */
        bnn_bconv2d_vsparse_s32(bits1, bits2, in_h, in_w, in_c, s2, w, out_c, k, stride, pad, rq, out);
        return;
    }
    const int prelu = rq->a != NULL;
    int ok = in_c <= 16 && in_h * in_w <= POS_MAX && out_c * k * k <= W_MAX && out_c <= C_MAX && k <= 5 &&
             (out_c & 3) == 0 && k * k * in_c <= BNN_I32_MAX_IN;
    if (ok) {
        (void)bnn_frq_prepare(rq, out_c, SCR.rq);
        ok = bnn_frq_vec_consts(SCR.rq, out_c, prelu, SCR.vm, SCR.vk, SCR.vsh, SCR.v32, SCR.vb, SCR.va);
    }
    if (!ok) {
        bnn_bconv2d_fast_s32(bits1, bits2, in_h, in_w, in_c, s2, w, out_c, k, stride, pad, rq, out);
        return;
    }
    const int out_h = (in_h + 2 * pad - k) / stride + 1;
    const int out_w = (in_w + 2 * pad - k) / stride + 1;
    const int kk = k * k;
    for (int i = 0; i < in_h * in_w; ++i) {
        SCR.a[i] = (bits1[i] & 0xffffu) | (bits2[i] << 16);
    }
    for (int o = 0; o < out_c; ++o) {
        for (int tap = 0; tap < kk; ++tap) {
            const uint32_t v = w[o * kk + tap];
            SCR.wt[tap * out_c + o] = (v & 0xffffu) | (v << 16);
        }
    }
    const uint32x4_t m1 = vdupq_n_u32(0x55555555u), m2 = vdupq_n_u32(0x33333333u), m4 = vdupq_n_u32(0x0f0f0f0fu);
    const uint32x4_t lanes = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)(out_h * out_w));
    for (int oy = 0; oy < out_h; ++oy) {
        const int iy0 = oy * stride - pad;
        const int ky0 = iy0 < 0 ? -iy0 : 0;
        const int ky1 = iy0 + k > in_h ? in_h - iy0 : k;
        for (int ox = 0; ox < out_w; ++ox) {
            const int ix0 = ox * stride - pad;
            const int kx0 = ix0 < 0 ? -ix0 : 0;
            const int kx1 = ix0 + k > in_w ? in_w - ix0 : k;
            const int32_t n_valid = (ky1 - ky0) * (kx1 - kx0) * in_c;
            for (int o = 0; o < out_c; o += 4) {
                uint32x4_t acc = vdupq_n_u32(0);
                for (int ky = ky0; ky < ky1; ++ky) {
                    const uint32_t *arow = SCR.a + (iy0 + ky) * in_w + ix0;
                    const uint32_t *wrow = SCR.wt + (ky * k) * out_c + o;
                    for (int kx = kx0; kx < kx1; ++kx) {
                        uint32x4_t x = veorq_u32(vldrwq_u32(wrow + kx * out_c), vdupq_n_u32(arow[kx]));
                        x = vsubq_u32(x, vandq_u32(vshrq_n_u32(x, 1), m1));
                        x = vaddq_u32(vandq_u32(x, m2), vandq_u32(vshrq_n_u32(x, 2), m2));
                        acc = vaddq_u32(acc, vandq_u32(vaddq_u32(x, vshrq_n_u32(x, 4)), m4));
                    }
                }
                /* bytes 0+1: plane 1, bytes 2+3: plane 2 */
                const uint32x4_t ff = vdupq_n_u32(0xffu);
                const int32x4_t pc1 = vreinterpretq_s32_u32(vaddq_u32(vandq_u32(acc, ff),
                                                                      vandq_u32(vshrq_n_u32(acc, 8), ff)));
                const int32x4_t pc2 = vreinterpretq_s32_u32(vaddq_u32(vandq_u32(vshrq_n_u32(acc, 16), ff),
                                                                      vshrq_n_u32(acc, 24)));
                const int32x4_t d1 = vsubq_s32(vdupq_n_s32(n_valid), vshlq_n_s32(pc1, 1));
                const int32x4_t d2 = vsubq_s32(vdupq_n_s32(n_valid), vshlq_n_s32(pc2, 1));
                const int32x4_t a32 = vmlaq_n_s32(vshlq_n_s32(d1, BNN_Q_ACT), d2, s2);
                const int32x4_t vm = vldrwq_s32(SCR.vm + o);
                const uint32x4_t rnd = vandq_u32(vshrq_n_u32(vreinterpretq_u32_s32(vmulq_s32(a32, vm)), 31),
                                                 vldrwq_u32(SCR.v32 + o));
                int32x4_t y = vaddq_s32(vaddq_s32(vmulhq_s32(a32, vm), vldrwq_s32(SCR.vk + o)),
                                        vreinterpretq_s32_u32(rnd));
                y = vqaddq_s32(vshlq_s32(y, vldrwq_s32(SCR.vsh + o)), vldrwq_s32(SCR.vb + o));
                if (prelu) {
                    y = vpselq_s32(vqrdmulhq_s32(y, vldrwq_s32(SCR.va + o)), y, vcmpltq_n_s32(y, 0));
                }
                vstrwq_scatter_shifted_offset_s32(out + (o * out_h + oy) * out_w + ox, lanes, y);
            }
        }
    }
}
#endif
