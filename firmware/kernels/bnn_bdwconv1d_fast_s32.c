/* bnn_bdwconv1d_fast_s32 - bnn_bdwconv1d_s32 (same arguments, same results), faster.
 *
 * Per channel, the frame bits of both planes are shifted left by `pad` once (A = bits << pad), so
 * the k taps of frame t are bits t .. t+k-1 of A; XOR with the weights, AND with the frame's valid
 * taps (computed once per call) and a 256-entry popcount table give pc, d = n_valid - 2 pc:
 *     acc = d1 * ONE + s2 * d2 = n_valid * (ONE + s2) - (pc1 << 17) - 2 s2 * pc2.
 * The channel's transform constants stay in registers over its frames: S >= 32 is one SMLAL with
 * the rounding constant and an arithmetic shift of the high word, S < 32 with a bounded product
 * (bnn_frq_prepare_low) two shifts of the 64-bit sum; PReLU is bnn_frq_smmulr with A << 17 (one
 * SMMULR on DSP cores; exact, no saturation, for |A| < 2^14).
 * Anything else (k > 8, long sequences, other constants) takes the exact generic code. */
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"

#define T_MAX 24 /* n_frames + pad and n_frames - 1 + k stay inside one word */
#define C_MAX 256

static bnn_frq_t s_rq[C_MAX];
static uint8_t s_pop8[256];

typedef struct {
    uint32_t valid; /* taps of this frame that read a real frame */
    int32_t nv;     /* their number */
} dw_frame_t;

/* One output: frame t of a channel. `mode` 0: S >= 32 (SMLAL + ASR), 1: S < 32 bounded (two
 * shifts), 2: generic; `pmode` 0: no PReLU, 1: SMMULR, 2: generic; `has_res`: residual add. */
static inline int32_t dw_out(uint32_t a1, uint32_t a2, uint32_t wc, uint32_t valid, int32_t nv, int t,
                             int32_t onep, int32_t s2x2, int32_t m, int64_t rnd, int32_t sh, int32_t ls,
                             int32_t b, int32_t a17, const bnn_frq_t *q, int mode, int pmode)
{
    const int32_t pc1 = s_pop8[((a1 >> t) ^ wc) & valid];
    const int32_t pc2 = s_pop8[((a2 >> t) ^ wc) & valid];
    const int32_t acc = nv * onep - (pc1 << (BNN_Q_ACT + 1)) - s2x2 * pc2;
    int32_t y;
    if (mode == 0) {
        y = bnn_frq_qadd((int32_t)(((int64_t)acc * m + rnd) >> 32) >> sh, b);
    } else if (mode == 1) {
        const uint64_t p = (uint64_t)((int64_t)acc * m + rnd);
        y = bnn_frq_qadd((int32_t)(((uint32_t)(p >> 32) << ls) | ((uint32_t)p >> (32 - ls))), b);
    } else {
        y = bnn_frq_requant(acc, q);
    }
    if (pmode == 1) {
        if (y < 0) {
            y = bnn_frq_smmulr(y, a17);
        }
    } else if (pmode == 2) {
        y = bnn_frq_prelu(y, q);
    }
    return y;
}

/* One channel's n_frames outputs; `spec` != 0: the model's shape (k 5, pad 2, 8 frames) with the
 * frame loop unrolled and each frame's valid taps folded to constants. Every flag is a constant
 * in each call, so each combination compiles to its own loop. */
static inline void dw_channel(uint32_t a1, uint32_t a2, uint32_t wc, int32_t s2c, const bnn_frq_t *q,
                              const dw_frame_t *fr, int n_frames, const int32_t *rp, int32_t *op, int mode,
                              int pmode, int has_res, int spec)
{
    const int32_t onep = BNN_ONE + s2c, s2x2 = 2 * s2c;
    const int32_t m = q->m, b = q->b, sh = q->sh, ls = q->ls;
    const int64_t rnd = q->rnd;
    const int32_t a17 = (int32_t)((uint32_t)q->a << 17);
    if (spec) {
#pragma GCC unroll 8
        for (int t = 0; t < 8; ++t) {
            const int lo = t < 2 ? 2 - t : 0, hi = 10 - t < 5 ? 10 - t : 5; /* valid taps [lo, hi) */
            const uint32_t valid = ((1u << hi) - 1u) & ~((1u << lo) - 1u);
            int32_t y = dw_out(a1, a2, wc, valid, hi - lo, t, onep, s2x2, m, rnd, sh, ls, b, a17, q, mode, pmode);
            if (has_res) {
                y = bnn_frq_qadd(y, rp[t]);
            }
            op[t] = y;
        }
        return;
    }
    for (int t = 0; t < n_frames; ++t) {
        int32_t y = dw_out(a1, a2, wc, fr[t].valid, fr[t].nv, t, onep, s2x2, m, rnd, sh, ls, b, a17, q, mode, pmode);
        if (has_res) {
            y = bnn_frq_qadd(y, rp[t]);
        }
        op[t] = y;
    }
}

void bnn_bdwconv1d_fast_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                            const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out)
{
    if (k > 8 || k < 1 || n_frames > T_MAX || n_frames < 1 || n_ch > C_MAX || pad < 0 || pad > 8) {
        bnn_bdwconv1d_s32(bits1, bits2, n_ch, n_frames, s2, w, k, pad, rq, res, out);
        return;
    }
    if (s_pop8[255] == 0) {
        for (int i = 1; i < 256; ++i) {
            s_pop8[i] = (uint8_t)((i & 1) + s_pop8[i >> 1]);
        }
    }
    dw_frame_t fr[T_MAX];
    for (int t = 0; t < n_frames; ++t) {
        uint32_t v = 0u;
        for (int j = 0; j < k; ++j) {
            const int f = t + j - pad;
            v |= (f >= 0 && f < n_frames) ? (1u << j) : 0u;
        }
        fr[t].valid = v;
        fr[t].nv = (int32_t)s_pop8[v];
    }
    const uint32_t fmask = (n_frames >= 32) ? 0xffffffffu : ((1u << n_frames) - 1u);
    bnn_frq_prepare(rq, n_ch, s_rq);
    bnn_frq_prepare_low(s_rq, n_ch, (int64_t)k * (BNN_ONE + BNN_S2_MAX));
    const int has_prelu = rq->a != NULL;
    const int spec = k == 5 && pad == 2 && n_frames == 8;
    for (int c = 0; c < n_ch; ++c) {
        const uint32_t a1 = (bits1[c] & fmask) << pad, a2 = (bits2[c] & fmask) << pad, wc = w[c];
        const bnn_frq_t *q = &s_rq[c];
        int32_t *op = out + c * n_frames;
        const int32_t *rp = res != NULL ? res + c * n_frames : NULL;
        const int mode = q->sh >= 0 ? 0 : (q->ls ? 1 : 2);
        const int fastp = has_prelu && q->a > -16384 && q->a < 16384;
        if (spec && mode == 0 && fastp && rp != NULL) {
            dw_channel(a1, a2, wc, s2[c], q, fr, 8, rp, op, 0, 1, 1, 1);
        } else if (spec && mode == 1 && fastp && rp != NULL) {
            dw_channel(a1, a2, wc, s2[c], q, fr, 8, rp, op, 1, 1, 1, 1);
        } else if (mode == 0 && fastp && rp != NULL) {
            dw_channel(a1, a2, wc, s2[c], q, fr, n_frames, rp, op, 0, 1, 1, 0);
        } else {
            dw_channel(a1, a2, wc, s2[c], q, fr, n_frames, rp, op, 2, has_prelu ? 2 : 0, rp != NULL, 0);
        }
    }
}
