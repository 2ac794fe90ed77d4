/* bl_net_s8 - the int8 baseline network (HWC / frame-major int8 activations, int32 accumulators,
 * per-channel requantization to int8), same layers and shapes as the binary model. */
#include <string.h>

#include "bl_baselines.h"
#include "bl_model_data.h"
#include "bl_requant_s8.h"

#define BL_K1 28 /* 25 taps padded to a multiple of 4 */
static int8_t s_x0[BL_N_MELS * BL_N_FRAMES];
static int8_t s_h1[BL_H1 * BL_W1 * BL_C1];
static int8_t s_col[8 * BL_C1 * 25];
static int8_t s_h2[BL_H2 * BL_W2 * BL_C2];
static int8_t s_xf[BL_T * BL_C2 * BL_H2];
static int8_t s_p[BL_T * BL_D];
static int8_t s_m[BL_T * BL_D];
static int8_t s_h[BL_T * BL_HID];

int bl_net_s8(const int16_t *features, int32_t *logits)
{
    for (int i = 0; i < BL_N_MELS * BL_N_FRAMES; ++i) {
        const int32_t v = (features[i] - BL_FEAT_MEAN) >> BL_IN_SHIFT;
        s_x0[i] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
    }
    for (int p0 = 0; p0 < BL_H1 * BL_W1; p0 += 8) {
        for (int j = 0; j < 8; ++j) {
            bl_im2col_s8(s_x0, 1, BL_N_MELS, BL_N_FRAMES, 5, 2, 2, BL_W1, p0 + j, BL_K1, s_col + j * BL_K1);
        }
        bl_gemm_s8(g_bl8_conv1_w, BL_C1, BL_K1, s_col, 8, s_h1 + p0 * BL_C1, BL_C1, g_bl8_conv1_m, BL_SHIFT,
                   g_bl8_conv1_b, g_bl8_conv1_a);
    }
    for (int p0 = 0; p0 < BL_H2 * BL_W2; p0 += 8) {
        for (int j = 0; j < 8; ++j) {
            bl_im2col_s8(s_h1, BL_C1, BL_H1, BL_W1, 5, 2, 2, BL_W2, p0 + j, BL_C1 * 25, s_col + j * BL_C1 * 25);
        }
        bl_gemm_s8(g_bl8_conv2_w, BL_C2, BL_C1 * 25, s_col, 8, s_h2 + p0 * BL_C2, BL_C2, g_bl8_conv2_m,
                   BL_SHIFT, g_bl8_conv2_b, g_bl8_conv2_a);
    }
    /* (mel, t, c) -> per frame t the (mel, c) vector */
    for (int t = 0; t < BL_T; ++t) {
        for (int mel = 0; mel < BL_H2; ++mel) {
            memcpy(s_xf + (t * BL_H2 + mel) * BL_C2, s_h2 + (mel * BL_W2 + t) * BL_C2, BL_C2);
        }
    }
    bl_gemm_s8(g_bl8_proj_w, BL_D, BL_C2 * BL_H2, s_xf, BL_T, s_p, BL_D, g_bl8_proj_m, BL_SHIFT, g_bl8_proj_b,
               g_bl8_proj_a);
    for (int i = 0; i < BL_N_BLOCKS; ++i) {
        const int8_t *w = g_bl8_mem_w[i];
        for (int t = 0; t < BL_T; ++t) {
            for (int c = 0; c < BL_D; ++c) {
                int32_t a = 0;
                for (int j = 0; j < 5; ++j) {
                    const int s = t + j - 2;
                    if (s >= 0 && s < BL_T) {
                        a += w[c * 5 + j] * s_p[s * BL_D + c];
                    }
                }
                const int32_t y = bl_requant_s8(a, g_bl8_mem_m[i][c], BL_SHIFT, g_bl8_mem_b[i][c], g_bl8_mem_a[i][c]) +
                                  s_p[t * BL_D + c];
                s_m[t * BL_D + c] = (int8_t)(y > 127 ? 127 : (y < -128 ? -128 : y));
            }
        }
        bl_gemm_s8(g_bl8_fc1_w[i], BL_HID, BL_D, s_m, BL_T, s_h, BL_HID, g_bl8_fc1_m[i], BL_SHIFT, g_bl8_fc1_b[i],
                   g_bl8_fc1_a[i]);
        bl_gemm_s8(g_bl8_fc2_w[i], BL_D, BL_HID, s_h, BL_T, s_p, BL_D, g_bl8_fc2_m[i], BL_SHIFT, g_bl8_fc2_b[i],
                   g_bl8_fc2_a[i]);
        for (int j = 0; j < BL_T * BL_D; ++j) {
            const int32_t y = s_p[j] + s_m[j];
            s_p[j] = (int8_t)(y > 127 ? 127 : (y < -128 ? -128 : y));
        }
    }
    int best = 0;
    for (int k = 0; k < BL_N_CLASSES; ++k) {
        int32_t a = g_bl8_cls_b[k];
        const int8_t *w = g_bl8_cls_w + k * BL_T * BL_D;
        for (int j = 0; j < BL_T * BL_D; ++j) {
            a += w[j] * s_p[j];
        }
        logits[k] = a;
        if (a > logits[best]) {
            best = k;
        }
    }
    return best;
}
