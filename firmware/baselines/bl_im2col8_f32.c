/* bl_im2col8_f32 - im2col of 8 consecutive output positions (column block of bl_gemm8_f32). */
#include "bl_baselines.h"

void bl_im2col8_f32(const float *img, int C, int H, int W, int k, int stride, int pad, int out_w, int p0,
                    float *col)
{
    for (int j = 0; j < 8; ++j) {
        const int oy = (p0 + j) / out_w, ox = (p0 + j) % out_w;
        float *c8 = col + j;
        for (int c = 0; c < C; ++c) {
            for (int ky = 0; ky < k; ++ky) {
                const int iy = oy * stride + ky - pad;
                for (int kx = 0; kx < k; ++kx, c8 += 8) {
                    const int ix = ox * stride + kx - pad;
                    *c8 = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? img[(c * H + iy) * W + ix] : 0.0f;
                }
            }
        }
    }
}
