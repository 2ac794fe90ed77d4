/* bnn_conv2d_fast_s8 - bnn_conv2d_s8 (same arguments, same results), faster: the input minus its
 * offset is copied once into a zero-padded int16 image (so no tap needs a bounds test), the int8
 * weights of a channel are widened to int16 pairs, and on cores with the DSP extension four
 * neighbouring outputs (then two) are computed together with SMLAD (two MACs per instruction) from
 * 32-bit loads of pixel pairs, each pair loaded once for all the outputs it touches. The output transform is bnn_fastrq.h's. Shapes the padded image does not
 * fit (or inputs whose offset difference leaves int16) take the portable kernel. */
#include <string.h>

#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"

#define PAD_MAX 2304 /* padded image pixels (36 x 36 + slack, a 32x32 input with pad 2 and k 5) */
#define C_MAX 64
#define K_MAX 5

static int16_t s_img[PAD_MAX + 8] __attribute__((aligned(4)));
static bnn_frq_t s_rq[C_MAX];

#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
static inline int32_t smlad(uint32_t a, uint32_t b, int32_t acc)
{
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
static inline uint32_t ld2(const int16_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* output transform: general constants (a17 != 0: |A| < 2^14, PReLU by one SMMULR) */
static inline int32_t c1_out(int32_t acc, const bnn_frq_t *c, int32_t a17, int has_prelu)
{
    int32_t y = bnn_frq_requant(acc, c);
    if (a17 != 0) {
        y = y < 0 ? bnn_frq_smmulr(y, a17) : y;
    } else if (has_prelu) {
        y = bnn_frq_prelu(y, c);
    }
    return y;
}

/* output transform: folded constants (bnn_frq_prepare_fold) */
static inline int32_t c1_fold(int32_t acc, const bnn_frq_t *c, int has_prelu)
{
    const int32_t y = bnn_frq_requant_fold(acc, c);
    return has_prelu ? bnn_frq_prelu_fold(y, c) : y;
}
#endif

void bnn_conv2d_fast_s8(const int16_t *in, int in_h, int in_w, int32_t in_offset, const int8_t *q, int out_c,
                        int k, int stride, int pad, const bnn_requant_t *rq, int32_t *out)
{
    const int ph = in_h + 2 * pad, pw = in_w + 2 * pad + ((in_w & 1) ? 1 : 0); /* even row length */
    const int out_h = (in_h + 2 * pad - k) / stride + 1;
    const int out_w = (in_w + 2 * pad - k) / stride + 1;
    int ok = ph * pw + 8 <= PAD_MAX && out_c <= C_MAX && k == K_MAX && stride == 2 && (out_w & 1) == 0;
    for (int i = 0; ok && i < in_h * in_w; ++i) {
        const int32_t v = (int32_t)in[i] - in_offset;
        ok = v >= -32768 && v <= 32767;
    }
    if (!ok) {
        bnn_conv2d_s8(in, in_h, in_w, in_offset, q, out_c, k, stride, pad, rq, out);
        return;
    }
    memset(s_img, 0, sizeof s_img);
    for (int y = 0; y < in_h; ++y) {
        int16_t *row = s_img + (y + pad) * pw + pad;
        const int16_t *src = in + y * in_w;
        for (int x = 0; x < in_w; ++x) {
            row[x] = (int16_t)(src[x] - in_offset);
        }
    }
    const int has_prelu = rq->a != NULL;
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
    /* |acc| <= k*k * 128 * 32768 (int8 weights, int16 pixels) */
    const int fold = bnn_frq_prepare_fold(rq, out_c, 25u * 128u * 32768u, has_prelu, s_rq);
    if (!fold) {
        bnn_frq_prepare(rq, out_c, s_rq);
    }
#else
    bnn_frq_prepare(rq, out_c, s_rq);
#endif
    for (int o = 0; o < out_c; ++o) {
        const int8_t *qo = q + o * 25;
        const bnn_frq_t *c = &s_rq[o];
        int32_t *op = out + o * out_h * out_w;
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
        const int32_t a17 = (has_prelu && c->a > -16384 && c->a < 16384) ? (int32_t)((uint32_t)c->a << 17) : 0;
        uint32_t wp[5][3]; /* per row: (w0,w1), (w2,w3), (w4,0) as int16 pairs */
        for (int ky = 0; ky < 5; ++ky) {
            const int8_t *r = qo + ky * 5;
            wp[ky][0] = (uint16_t)r[0] | ((uint32_t)(uint16_t)r[1] << 16);
            wp[ky][1] = (uint16_t)r[2] | ((uint32_t)(uint16_t)r[3] << 16);
            wp[ky][2] = (uint16_t)r[4];
        }
        for (int oy = 0; oy < out_h; ++oy) {
            const int16_t *base = s_img + (2 * oy) * pw;
            int ox = 0;
            for (; ox + 4 <= out_w; ox += 4, op += 4) {
                /* four outputs: each pixel pair is loaded once and used by every output it touches */
                int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                const int16_t *p = base + 2 * ox;
                for (int ky = 0; ky < 5; ++ky, p += pw) {
                    const uint32_t w0 = wp[ky][0], w1 = wp[ky][1], w2 = wp[ky][2];
                    uint32_t px = ld2(p);
                    a0 = smlad(w0, px, a0);
                    px = ld2(p + 2);
                    a0 = smlad(w1, px, a0);
                    a1 = smlad(w0, px, a1);
                    px = ld2(p + 4);
                    a0 = smlad(w2, px, a0);
                    a1 = smlad(w1, px, a1);
                    a2 = smlad(w0, px, a2);
                    px = ld2(p + 6);
                    a1 = smlad(w2, px, a1);
                    a2 = smlad(w1, px, a2);
                    a3 = smlad(w0, px, a3);
                    px = ld2(p + 8);
                    a2 = smlad(w2, px, a2);
                    a3 = smlad(w1, px, a3);
                    px = ld2(p + 10);
                    a3 = smlad(w2, px, a3);
                }
                if (fold) {
                    op[0] = c1_fold(a0, c, has_prelu);
                    op[1] = c1_fold(a1, c, has_prelu);
                    op[2] = c1_fold(a2, c, has_prelu);
                    op[3] = c1_fold(a3, c, has_prelu);
                } else {
                    op[0] = c1_out(a0, c, a17, has_prelu);
                    op[1] = c1_out(a1, c, a17, has_prelu);
                    op[2] = c1_out(a2, c, a17, has_prelu);
                    op[3] = c1_out(a3, c, a17, has_prelu);
                }
            }
            for (; ox < out_w; ox += 2, op += 2) {
                int32_t a0 = 0, a1 = 0;
                const int16_t *p = base + 2 * ox;
                for (int ky = 0; ky < 5; ++ky, p += pw) {
                    const uint32_t p0 = ld2(p), p1 = ld2(p + 2), p2 = ld2(p + 4), p3 = ld2(p + 6);
                    a0 = smlad(wp[ky][0], p0, a0);
                    a0 = smlad(wp[ky][1], p1, a0);
                    a0 = smlad(wp[ky][2], p2, a0);
                    a1 = smlad(wp[ky][0], p1, a1);
                    a1 = smlad(wp[ky][1], p2, a1);
                    a1 = smlad(wp[ky][2], p3, a1);
                }
                op[0] = c1_out(a0, c, a17, has_prelu);
                op[1] = c1_out(a1, c, a17, has_prelu);
            }
        }
#else
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox, ++op) {
                const int16_t *p = s_img + (2 * oy) * pw + 2 * ox;
                int32_t a = 0;
                for (int ky = 0; ky < 5; ++ky, p += pw) {
                    const int8_t *r = qo + ky * 5;
                    a += r[0] * p[0] + r[1] * p[1] + r[2] * p[2] + r[3] * p[3] + r[4] * p[4];
                }
                int32_t y = bnn_frq_requant(a, c);
                if (has_prelu) {
                    y = bnn_frq_prelu(y, c);
                }
                *op = y;
            }
        }
#endif
    }
}
