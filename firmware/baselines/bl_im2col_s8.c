/* bl_im2col_s8 - im2col of one output position of an HWC int8 image: taps (ky, kx) each copy C
 * contiguous channels; zero padding; zero tail up to K (a multiple of 4). */
#include <string.h>

#include "bl_baselines.h"

void bl_im2col_s8(const int8_t *img, int C, int H, int W, int k, int stride, int pad, int out_w, int p,
                  int K, int8_t *col)
{
    const int oy = p / out_w, ox = p % out_w;
    int8_t *c = col;
    for (int ky = 0; ky < k; ++ky) {
        const int iy = oy * stride + ky - pad;
        for (int kx = 0; kx < k; ++kx, c += C) {
            const int ix = ox * stride + kx - pad;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                memcpy(c, img + (iy * W + ix) * C, (size_t)C);
            } else {
                memset(c, 0, (size_t)C);
            }
        }
    }
    memset(c, 0, (size_t)(K - k * k * C));
}
