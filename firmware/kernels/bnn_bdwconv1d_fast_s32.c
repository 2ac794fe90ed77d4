/* bnn_bdwconv1d_fast_s32 - bnn_bdwconv1d_s32 (same arguments, same results), faster: the tap
 * alignment (shift), the valid-tap mask and its size depend on the frame only, so they are
 * computed once per call; k <= 8 taps are counted with a 256-entry popcount table; the output
 * transform is bnn_fastrq.h's. Other shapes take the portable kernel. */
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"

#define T_MAX 32
#define C_MAX 256

static bnn_frq_t s_rq[C_MAX];
static uint8_t s_pop8[256];

void bnn_bdwconv1d_fast_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                            const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out)
{
    if (k > 8 || n_frames > T_MAX || n_ch > C_MAX || pad >= 32) {
        bnn_bdwconv1d_s32(bits1, bits2, n_ch, n_frames, s2, w, k, pad, rq, res, out);
        return;
    }
    if (s_pop8[255] == 0) {
        for (int i = 1; i < 256; ++i) {
            s_pop8[i] = (uint8_t)((i & 1) + s_pop8[i >> 1]);
        }
    }
    int shl[T_MAX], shr[T_MAX];
    uint32_t valid[T_MAX];
    int32_t nv[T_MAX];
    const uint32_t kmask = (1u << k) - 1u;
    for (int t = 0; t < n_frames; ++t) {
        const int first = t - pad;
        uint32_t v = kmask;
        shr[t] = first >= 0 ? first : 0;
        shl[t] = first >= 0 ? 0 : -first;
        if (first < 0) {
            v &= ~((1u << -first) - 1u);
        }
        if (n_frames - first < 32) {
            v &= (1u << (n_frames - first)) - 1u;
        }
        valid[t] = v;
        nv[t] = (int32_t)s_pop8[v];
    }
    bnn_frq_prepare(rq, n_ch, s_rq);
    bnn_frq_prepare_low(s_rq, n_ch, (int64_t)k * (BNN_ONE + BNN_S2_MAX));
    const int has_prelu = rq->a != NULL;
    for (int c = 0; c < n_ch; ++c) {
        const uint32_t b1 = bits1[c], b2 = bits2[c], wc = w[c];
        const int32_t s2c = s2[c];
        const bnn_frq_t *q = &s_rq[c];
        int32_t *op = out + c * n_frames;
        const int32_t *rp = res != NULL ? res + c * n_frames : NULL;
        for (int t = 0; t < n_frames; ++t) {
            const uint32_t a1 = (b1 >> shr[t]) << shl[t];
            const uint32_t a2 = (b2 >> shr[t]) << shl[t];
            const int32_t d1 = nv[t] - 2 * (int32_t)s_pop8[(a1 ^ wc) & valid[t]];
            const int32_t d2 = nv[t] - 2 * (int32_t)s_pop8[(a2 ^ wc) & valid[t]];
            int32_t y = bnn_frq_requant(d1 * BNN_ONE + s2c * d2, q);
            if (has_prelu) {
                y = bnn_frq_prelu(y, q);
            }
            if (rp != NULL) {
                y = bnn_frq_qadd(y, rp[t]);
            }
            op[t] = y;
        }
    }
}
