/* bnn_bconv2d_fast_s32 - bnn_bconv2d_s32 (same arguments, same results), faster for <= 16 input
 * channels: the two bit planes of a position share one word (plane 1 in bits 0..15, plane 2 in
 * 16..31), so one XOR with the doubled weight word and one SWAR popcount to byte lanes serve both
 * planes (bytes 0+1 = plane 1, bytes 2+3 = plane 2); byte lanes accumulate over all taps (a byte
 * counts 8 channels, so k * k * 8 <= 200 < 256 for k <= 5). Valid tap ranges
 * are computed per output position, the output transform is bnn_fastrq.h's. Other shapes take
 * the portable kernel. */
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"
#include "bnn_scratch.h"

#define POS_MAX BNN_BC_POS_MAX /* input positions */
#define W_MAX BNN_BC_W_MAX     /* out_c * k * k */
#define C_MAX BNN_BC_C_MAX

#define SCR (bnn_scratch.bconv2d_fast) /* this kernel's scratch (bnn_scratch.h) */

/* m & (x >> n) as one AND with a shifted operand (gcc emits LSR + AND-immediate otherwise) */
#if defined(__thumb2__)
#define AND_LSR(m, x, n)                                                                           \
    ({                                                                                             \
        uint32_t r_;                                                                               \
        __asm__("and %0, %1, %2, lsr #" #n : "=r"(r_) : "r"(m), "r"(x));                           \
        r_;                                                                                        \
    })
#else
#define AND_LSR(m, x, n) ((m) & ((x) >> (n)))
#endif

/* the first two SWAR steps: 2-bit then 4-bit field sums (nibbles <= 4) */
#define NIB(x, m1, m2)                                                                             \
    do {                                                                                           \
        (x) -= AND_LSR(m1, x, 1);                                                                  \
        (x) = ((x) & (m2)) + AND_LSR(m2, x, 2);                                                    \
    } while (0)

/* byte-lane counts of one full row of 5 taps (both planes), added to acc */
static inline uint32_t row5(const uint32_t *a, const uint32_t *w, uint32_t acc, uint32_t m1, uint32_t m2,
                            uint32_t m4)
{
    uint32_t x0 = a[0] ^ w[0], x1 = a[1] ^ w[1], x2 = a[2] ^ w[2], x3 = a[3] ^ w[3], x4 = a[4] ^ w[4];
    NIB(x0, m1, m2);
    NIB(x1, m1, m2);
    NIB(x2, m1, m2);
    NIB(x3, m1, m2);
    NIB(x4, m1, m2);
    x0 += x1 + x2; /* nibbles <= 12 */
    x3 += x4;      /* nibbles <= 8 */
    acc += (x0 & m4) + AND_LSR(m4, x0, 4);
    acc += (x3 & m4) + AND_LSR(m4, x3, 4);
    return acc;
}

void bnn_bconv2d_fast_s32(const uint32_t *bits1, const uint32_t *bits2, int in_h, int in_w, int in_c,
                          int32_t s2, const uint32_t *w, int out_c, int k, int stride, int pad,
                          const bnn_requant_t *rq, int32_t *out)
{
    if (in_c > 16 || in_h * in_w > POS_MAX || out_c * k * k > W_MAX || out_c > C_MAX || k > 5 ||
        k * k * in_c > BNN_I32_MAX_IN) {
        bnn_bconv2d_s32(bits1, bits2, in_h, in_w, in_c, s2, w, out_c, k, stride, pad, rq, out);
        return;
    }
    const int out_h = (in_h + 2 * pad - k) / stride + 1;
    const int out_w = (in_w + 2 * pad - k) / stride + 1;
    for (int i = 0; i < in_h * in_w; ++i) {
        SCR.a[i] = (bits1[i] & 0xffffu) | (bits2[i] << 16);
    }
    for (int i = 0; i < out_c * k * k; ++i) {
        SCR.w[i] = (w[i] & 0xffffu) | (w[i] << 16);
    }
    bnn_frq_prepare(rq, out_c, SCR.rq);
    const int has_prelu = rq->a != NULL;
    for (int oy = 0; oy < out_h; ++oy) {
        const int iy0 = oy * stride - pad;
        const int ky0 = iy0 < 0 ? -iy0 : 0;
        const int ky1 = iy0 + k > in_h ? in_h - iy0 : k;
        for (int ox = 0; ox < out_w; ++ox) {
            const int ix0 = ox * stride - pad;
            const int kx0 = ix0 < 0 ? -ix0 : 0;
            const int kx1 = ix0 + k > in_w ? in_w - ix0 : k;
            const int32_t n_valid = (ky1 - ky0) * (kx1 - kx0) * in_c;
            const int nx = kx1 - kx0;
            const uint32_t *arow0 = SCR.a + (iy0 + ky0) * in_w + ix0 + kx0;
            const uint32_t m1 = 0x55555555u, m2 = 0x33333333u, m4 = 0x0f0f0f0fu;
            for (int o = 0; o < out_c; ++o) {
                const uint32_t *wrow = SCR.w + o * k * k + ky0 * k + kx0;
                const uint32_t *arow = arow0;
                uint32_t acc = 0;
                if (nx == 5) {
                    for (int ky = ky0; ky < ky1; ++ky, wrow += k, arow += in_w) {
                        acc = row5(arow, wrow, acc, m1, m2, m4);
                    }
                }
                for (int ky = ky0; nx != 5 && ky < ky1; ++ky, wrow += k, arow += in_w) {
                    for (int j = 0; j < nx; ++j) {
                        uint32_t x = arow[j] ^ wrow[j];
                        x = x - ((x >> 1) & 0x55555555u);
                        x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
                        acc += (x + (x >> 4)) & 0x0f0f0f0fu;
                    }
                }
                const int32_t pc1 = (int32_t)((acc & 0xffu) + ((acc >> 8) & 0xffu));
                const int32_t pc2 = (int32_t)(((acc >> 16) & 0xffu) + (acc >> 24));
                const int32_t acc32 = (n_valid - 2 * pc1) * BNN_ONE + s2 * (n_valid - 2 * pc2);
                int32_t y = bnn_frq_requant(acc32, &SCR.rq[o]);
                if (has_prelu) {
                    y = bnn_frq_prelu(y, &SCR.rq[o]);
                }
                out[(o * out_h + oy) * out_w + ox] = y;
            }
        }
    }
}
