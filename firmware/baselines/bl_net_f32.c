/* bl_net_f32 - the float32 baseline network: conv1 -> conv2 -> proj -> D-FSMN blocks -> classifier,
 * same shapes and layer order as the binary model (bl_model_data.h, generated). */
#include "bl_baselines.h"
#include "bl_model_data.h"

static float s_x0[BL_N_MELS * BL_N_FRAMES];
static float s_h1[BL_C1 * BL_H1 * BL_W1];
static float s_col[BL_C1 * 25 * 8];
static float s_p[BL_D * BL_T];
static float s_m[BL_D * BL_T];
static float s_h[BL_HID * BL_T];
static float s_x[BL_C2 * BL_H2 * BL_W2];

int bl_net_f32(const int16_t *features, float *logits)
{
    for (int i = 0; i < BL_N_MELS * BL_N_FRAMES; ++i) {
        s_x0[i] = (float)(features[i] - BL_FEAT_MEAN) * BL_FEAT_INV_STD;
    }
    /* conv1 (1 -> C1, 5x5, stride 2, pad 2) as im2col + gemm, 8 positions at a time */
    for (int p0 = 0; p0 < BL_H1 * BL_W1; p0 += 8) {
        bl_im2col8_f32(s_x0, 1, BL_N_MELS, BL_N_FRAMES, 5, 2, 2, BL_W1, p0, s_col);
        bl_gemm8_f32(g_bl_conv1_w, BL_C1, 25, s_col, s_h1 + p0, BL_H1 * BL_W1);
    }
    bl_post_f32(s_h1, BL_C1, BL_H1 * BL_W1, BL_H1 * BL_W1, g_bl_conv1_s, g_bl_conv1_b, g_bl_conv1_a, 0);
    /* conv2 (C1 -> C2, 5x5, stride 2, pad 2) */
    for (int p0 = 0; p0 < BL_H2 * BL_W2; p0 += 8) {
        bl_im2col8_f32(s_h1, BL_C1, BL_H1, BL_W1, 5, 2, 2, BL_W2, p0, s_col);
        bl_gemm8_f32(g_bl_conv2_w, BL_C2, BL_C1 * 25, s_col, s_x + p0, BL_H2 * BL_W2);
    }
    bl_post_f32(s_x, BL_C2, BL_H2 * BL_W2, BL_H2 * BL_W2, g_bl_conv2_s, g_bl_conv2_b, g_bl_conv2_a, 0);
    /* (C2, H2 mel, T) is (C2 * H2, T) already: proj per frame */
    bl_gemm8_f32(g_bl_proj_w, BL_D, BL_C2 * BL_H2, s_x, s_p, BL_T);
    bl_post_f32(s_p, BL_D, BL_T, BL_T, g_bl_proj_s, g_bl_proj_b, g_bl_proj_a, 0);
    for (int i = 0; i < BL_N_BLOCKS; ++i) {
        bl_dwconv1d_f32(s_p, BL_D, BL_T, g_bl_mem_w[i], 5, 2, s_m);
        bl_post_f32(s_m, BL_D, BL_T, BL_T, g_bl_mem_s[i], g_bl_mem_b[i], g_bl_mem_a[i], s_p);
        bl_gemm8_f32(g_bl_fc1_w[i], BL_HID, BL_D, s_m, s_h, BL_T);
        bl_post_f32(s_h, BL_HID, BL_T, BL_T, g_bl_fc1_s[i], g_bl_fc1_b[i], g_bl_fc1_a[i], 0);
        bl_gemm8_f32(g_bl_fc2_w[i], BL_D, BL_HID, s_h, s_p, BL_T);
        bl_post_f32(s_p, BL_D, BL_T, BL_T, g_bl_fc2_s[i], g_bl_fc2_b[i], g_bl_fc2_a[i], s_m);
    }
    bl_gemv_f32(g_bl_cls_w, BL_N_CLASSES, BL_D * BL_T, s_p, g_bl_cls_b, logits);
    int best = 0;
    for (int k = 1; k < BL_N_CLASSES; ++k) {
        if (logits[k] > logits[best]) {
            best = k;
        }
    }
    return best;
}
