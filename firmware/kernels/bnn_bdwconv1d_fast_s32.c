/* bnn_bdwconv1d_fast_s32 - bnn_bdwconv1d_s32 (same arguments, same results), faster.
 *
 * The model's shape (k 5, pad 2, 8 frames, PReLU and residual): per channel the frame bits of
 * both planes are interleaved into one word z (bit 2f: plane 1, bit 2f + 1: plane 2, two zero
 * frames each side), so the 5 taps of frame t, both planes, are the 10 bits z >> 2t. XOR with
 * the tap weights (each bit doubled), clear the taps that read a padding frame (frames 0, 1, 6,
 * 7) and one 1024-entry byte table gives e = 8 pc1 + pc2. With nv valid taps, scaled by 2^F:
 *     acc 2^F = nv (ONE + s2) 2^F - e 2^(14+F) - (e & 7) (2 s2 - 2^14) 2^F
 * (pc1 2^17 = (e - pc2) 2^14). Requantize with B folded in: for sh = S + F - 32 >= 1,
 *     sat32(rshr64(acc M, S) + B) = ((acc 2^F M) >> 32 + 2^(sh-1) + B 2^sh) >> sh
 * (rounding and B are whole multiples of 2^32 in the 2^(S+F) scale), exact when that high word
 * cannot leave int32 (|acc 2^F M| / 2^32 <= 5 (ONE + S2_MAX) 2^(F-1), checked per channel with
 * |B|); PReLU is SMMULR with A << 17 (not a wide slope: bnn_frq_slope_wide), the residual one
 * QADD. On DSP cores that is Thumb-2 assembly with the channel's constants in registers: 14 instructions per output
 * (UBFX EOR LDRB LDR SUB AND MLS SMMLA ASRS IT SMMULR LDR QADD STR), one BIC more at each edge
 * frame (the padding taps cleared). Before: about 38 per output (M4).
 * Other channels (constants outside those bounds, wide slopes included: only those channels) and
 * other shapes take the generic code with the output transform of bnn_fastrq.h; k > 8 or long
 * sequences the portable kernel. */
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"

#define T_MAX 24 /* n_frames + pad and n_frames - 1 + k stay inside one word */
#define DW_F 6   /* spec path: acc scaled by 2^6 (|acc| <= 5 (ONE + S2_MAX) < 2^25) */
/* |B| bound of the spec path, before >> sh: the high word 2^(sh-1) + B 2^sh + acc 2^F M / 2^32
 * stays inside int32 */
#define DW_B_LIM ((uint32_t)(0x7fffffffu - 2u - (5u * (BNN_ONE + BNN_S2_MAX) << (DW_F - 1)) - (1u << 30)))

/* popcount of a byte */
#define P1(n) n, n + 1
#define P2(n) P1(n), P1(n + 1)
#define P3(n) P2(n), P2(n + 1)
#define P4(n) P3(n), P3(n + 1)
#define P5(n) P4(n), P4(n + 1)
#define P6(n) P5(n), P5(n + 1)
#define P7(n) P6(n), P6(n + 1)
#define P8(n) P7(n), P7(n + 1)
static const uint8_t s_pop8[256] = {P8(0)};

/* 5 taps x (plane 1 bit, plane 2 bit), interleaved: 8 popcount(plane 1) + popcount(plane 2) */
#define E1(n) n, n + 8, n + 1, n + 9
#define E2(n) E1(n), E1(n + 8), E1(n + 1), E1(n + 9)
#define E3(n) E2(n), E2(n + 8), E2(n + 1), E2(n + 9)
#define E4(n) E3(n), E3(n + 8), E3(n + 1), E3(n + 9)
#define E5(n) E4(n), E4(n + 8), E4(n + 1), E4(n + 9)
static const uint8_t s_pc5x2[1024] = {E5(0)};

/* bit i of a byte at bit 2i */
#define S1(n) n, n + 1
#define S2(n) S1(n), S1(n + 4)
#define S3(n) S2(n), S2(n + 16)
#define S4(n) S3(n), S3(n + 64)
#define S5(n) S4(n), S4(n + 256)
#define S6(n) S5(n), S5(n + 1024)
#define S7(n) S6(n), S6(n + 4096)
#define S8(n) S7(n), S7(n + 16384)
static const uint16_t s_spread8[256] = {S8(0)};

typedef struct {
    uint32_t valid; /* taps of this frame that read a real frame */
    int32_t nv;     /* their number */
} dw_frame_t;

/* One output: frame t of a channel. `mode` 0: S >= 32 (SMLAL + ASR), 2: bnn_frq_requant; `pmode`
 * 0: no PReLU, 1: SMMULR, 2: generic; `has_res`: residual add. */
static inline int32_t dw_out(uint32_t a1, uint32_t a2, uint32_t wc, uint32_t valid, int32_t nv, int t,
                             int32_t onep, int32_t s2x2, int32_t a17, const bnn_frq_t *q, int mode, int pmode)
{
    const int32_t pc1 = s_pop8[((a1 >> t) ^ wc) & valid];
    const int32_t pc2 = s_pop8[((a2 >> t) ^ wc) & valid];
    const int32_t acc = nv * onep - (pc1 << (BNN_Q_ACT + 1)) - s2x2 * pc2;
    int32_t y;
    if (mode == 0) {
        y = bnn_frq_qadd((int32_t)(((int64_t)acc * q->m + q->rnd) >> 32) >> q->sh, q->b);
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

/* One channel's n_frames outputs, generic shape. Every flag is a constant in each call, so each
 * combination compiles to its own loop. */
static inline void dw_channel(uint32_t a1, uint32_t a2, uint32_t wc, int32_t s2c, const bnn_frq_t *q,
                              const dw_frame_t *fr, int n_frames, const int32_t *rp, int32_t *op, int mode,
                              int pmode, int has_res)
{
    const int32_t onep = BNN_ONE + s2c, s2x2 = 2 * s2c;
    const int32_t a17 = (int32_t)((uint32_t)q->a << 17);
    for (int t = 0; t < n_frames; ++t) {
        int32_t y = dw_out(a1, a2, wc, fr[t].valid, fr[t].nv, t, onep, s2x2, a17, q, mode, pmode);
        if (has_res) {
            y = bnn_frq_qadd(y, rp[t]);
        }
        op[t] = y;
    }
}

/* One channel of the spec path (k 5, pad 2, 8 frames): its constants, in the order the assembly
 * loads them (one LDM for the first seven). */
typedef struct {
    uint32_t z;          /* both planes' frames interleaved, frame f at bits 2f + 4, 2f + 5 */
    uint32_t wd;         /* tap j's weight bit at bits 2j and 2j + 1 */
    uint32_t y;          /* (2 s2 - 2^14) 2^F */
    int32_t m;           /* M */
    int32_t ra;          /* 2^(sh-1) + B 2^sh */
    int32_t sh;          /* S + F - 32 */
    int32_t a17;         /* A << 17 */
    uint32_t k3, k4, k5; /* nv (ONE + s2) 2^F for 3, 4, 5 valid taps */
} dw_spec_t;

#define DW_BLK 16 /* channels whose constants are prepared before their outputs */

/* Nonzero when a channel's transform constants are outside the spec path's bounds: sh = S + F - 32
 * outside [1, 31], a wide slope (bnn_frq_slope_wide), or |B| too large for the folded rounding
 * constant. */
static inline uint32_t dw_spec_bad_rq(int s, int32_t b, int32_t a)
{
    const uint32_t sh = (uint32_t)(s + DW_F - 32);
    const uint32_t sb = (uint32_t)(b >> 31), ab = ((uint32_t)b ^ sb) - sb;
    return (uint32_t)(sh - 1u > 30u) | bnn_frq_slope_wide(a) | (((DW_B_LIM >> (sh & 31u)) - ab) >> 31);
}

/* The constants of channels c0 .. c0 + n - 1 into p[0..n), one input at a time (few live
 * pointers); nonzero when some channel must take the generic path (dw_spec_bad_rq, or s2 outside
 * [0, S2_MAX]). */
static uint32_t dw_spec_prepare(const uint32_t *bits1, const uint32_t *bits2, const uint32_t *w, const int32_t *s2,
                                const bnn_requant_t *rq, int c0, int n, dw_spec_t *p)
{
    uint32_t bad = 0u;
    const uint16_t *spread = s_spread8;
#if defined(__GNUC__)
    __asm__("" : "+r"(spread)); /* the table's own address in a register: one LDRH per lookup */
#endif
    for (int i = 0; i < n; ++i) {
        const int c = c0 + i;
        const int32_t s2c = s2[c];
        const uint32_t onef = (uint32_t)(BNN_ONE + s2c) << DW_F;
        bad |= (uint32_t)((uint32_t)s2c > BNN_S2_MAX);
        p[i].z = ((uint32_t)spread[bits1[c] & 0xffu] | ((uint32_t)spread[bits2[c] & 0xffu] << 1)) << 4;
        p[i].wd = (uint32_t)spread[w[c] & 0x1fu] * 3u;
        p[i].y = ((uint32_t)s2c * 2u - (1u << 14)) << DW_F;
        p[i].k4 = onef << 2;
        p[i].k5 = p[i].k4 + onef;
        p[i].k3 = p[i].k4 - onef;
    }
    const int32_t *const rm = rq->m + c0, *const rb = rq->b + c0, *const ra = rq->a + c0;
    const int8_t *const rs = rq->s + c0;
    for (int i = 0; i < n; ++i) {
        const int32_t b = rb[i], a = ra[i];
        const uint32_t sh = (uint32_t)(rs[i] + DW_F - 32) & 31u;
        bad |= dw_spec_bad_rq(rs[i], b, a);
        p[i].m = rm[i];
        p[i].ra = (int32_t)((1u << ((sh - 1u) & 31u)) + ((uint32_t)b << sh));
        p[i].sh = (int32_t)sh;
        p[i].a17 = (int32_t)((uint32_t)a << 17);
    }
    return bad;
}

#if defined(__thumb2__) && defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
#if 14 + DW_F != 20
#error "DW_ASM_OUT: the e shift is 14 + DW_F"
#endif
/* one output in Thumb-2: frame bit pair offset T2 (= 2t), CLEAR clears the padding taps' index
 * bits; K, R, O address nv's constant, the residual and the output (frame 0 post-increments the
 * pointers to the next channel, the other frames use offsets back from there) */
#define DW_ASM_OUT(T2, CLEAR, K, R, O)                                                             \
    "ubfx %[e], %[z], #" T2 ", #10\n"                                                             \
    "eor %[e], %[e], %[wd]\n" CLEAR "ldrb %[e], [%[tab], %[e]]\n"                                 \
    "ldr %[acc], " K "\n"                                                                        \
    "sub %[acc], %[acc], %[e], lsl #20\n"                                                         \
    "and %[e], %[e], #7\n"                                                                        \
    "mls %[acc], %[e], %[y], %[acc]\n"                                                            \
    "smmla %[acc], %[acc], %[m], %[ra]\n"                                                         \
    "asrs %[acc], %[acc], %[sh]\n"                                                                \
    "it mi\n"                                                                                     \
    "smmulrmi %[acc], %[acc], %[a17]\n"                                                           \
    "ldr %[e], " R "\n"                                                                          \
    "qadd %[acc], %[acc], %[e]\n"                                                                 \
    "str %[acc], " O "\n"
#endif

/* The 8 outputs of n spec-path channels (constants p[0..n), residuals rp, outputs op) */
static void dw_spec_run(const dw_spec_t *p, int n, const int32_t *rp, int32_t *op)
{
#if defined(__thumb2__) && defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
    /* fixed registers: the LDM list must be in ascending order (r7 is left to the frame pointer) */
    register uint32_t z __asm__("r0");
    register uint32_t wd __asm__("r1");
    register uint32_t y __asm__("r2");
    register int32_t m __asm__("r3");
    register int32_t ra __asm__("r4");
    register int32_t sh __asm__("r5");
    register int32_t a17 __asm__("r6");
    register const uint8_t *tab __asm__("r8") = s_pc5x2;
    register const int32_t *rpr __asm__("r9") = rp;
    register int32_t *opr __asm__("r10") = op;
    register int32_t acc __asm__("r11");
    register int32_t e __asm__("r12");
    register const dw_spec_t *pr __asm__("lr") = p;
    const dw_spec_t *const pend = p + n;
    __asm__ volatile("1:\n"
                     "ldmia %[p]!, {%[z], %[wd], %[y], %[m], %[ra], %[sh], %[a17]}\n"
                     DW_ASM_OUT("0", "bic %[e], %[e], #0xf\n", "[%[p]], #12", "[%[rp]], #32", "[%[op]], #32")
                     DW_ASM_OUT("2", "bic %[e], %[e], #0x3\n", "[%[p], #-8]", "[%[rp], #-28]", "[%[op], #-28]")
                     DW_ASM_OUT("4", "", "[%[p], #-4]", "[%[rp], #-24]", "[%[op], #-24]")
                     DW_ASM_OUT("6", "", "[%[p], #-4]", "[%[rp], #-20]", "[%[op], #-20]")
                     DW_ASM_OUT("8", "", "[%[p], #-4]", "[%[rp], #-16]", "[%[op], #-16]")
                     DW_ASM_OUT("10", "", "[%[p], #-4]", "[%[rp], #-12]", "[%[op], #-12]")
                     DW_ASM_OUT("12", "bic %[e], %[e], #0x300\n", "[%[p], #-8]", "[%[rp], #-8]", "[%[op], #-8]")
                     DW_ASM_OUT("14", "bic %[e], %[e], #0x3c0\n", "[%[p], #-12]", "[%[rp], #-4]", "[%[op], #-4]")
                     "ldr %[e], %[pend]\n"
                     "cmp %[p], %[e]\n"
                     "bne 1b\n"
                     : [z] "=&r"(z), [wd] "=&r"(wd), [y] "=&r"(y), [m] "=&r"(m), [ra] "=&r"(ra), [sh] "=&r"(sh),
                       [a17] "=&r"(a17), [acc] "=&r"(acc), [e] "=&r"(e), [p] "+&r"(pr), [rp] "+&r"(rpr),
                       [op] "+&r"(opr)
                     : [tab] "r"(tab), [pend] "m"(pend)
                     : "cc", "memory");
#else
    for (int c = 0; c < n; ++c, ++p, rp += 8, op += 8) {
        for (int t = 0; t < 8; ++t) {
            /* padding taps: tap j of frame t reads frame t + j - 2 */
            const uint32_t clear = t == 0 ? 0xfu : t == 1 ? 0x3u : t == 6 ? 0x300u : t == 7 ? 0x3c0u : 0u;
            const uint32_t k = (t == 0 || t == 7) ? p->k3 : (t == 1 || t == 6) ? p->k4 : p->k5;
            const uint32_t e = s_pc5x2[(((p->z >> (2 * t)) & 0x3ffu) ^ p->wd) & ~clear];
            const int32_t acc = (int32_t)(k - (e << (14 + DW_F)) - (e & 7u) * p->y);
            int32_t y = (int32_t)((((int64_t)acc * p->m) >> 32) + p->ra) >> p->sh;
            if (y < 0) {
                y = bnn_frq_smmulr(y, p->a17);
            }
            op[t] = bnn_frq_qadd(y, rp[t]);
        }
    }
#endif
}

/* Channel c in the generic code */
static void dw_generic(const uint32_t *bits1, const uint32_t *bits2, int c, int n_frames, const int32_t *s2,
                       const uint32_t *w, int k, int pad, const bnn_requant_t *rq, const int32_t *res,
                       int32_t *out, const dw_frame_t *fr)
{
    const int has_prelu = rq->a != NULL;
    const bnn_requant_t rc = {rq->m + c, rq->s + c, rq->b + c, has_prelu ? rq->a + c : NULL};
    bnn_frq_t q;
    bnn_frq_prepare(&rc, 1, &q);
    bnn_frq_prepare_low(&q, 1, (int64_t)k * (BNN_ONE + BNN_S2_MAX));
    const uint32_t fmask = (n_frames >= 32) ? 0xffffffffu : ((1u << n_frames) - 1u);
    const uint32_t a1 = (bits1[c] & fmask) << pad, a2 = (bits2[c] & fmask) << pad, wc = w[c];
    const int32_t *rp = res != NULL ? res + c * n_frames : NULL;
    int32_t *op = out + c * n_frames;
    const int fastp = has_prelu && !bnn_frq_slope_wide(q.a);
    if (q.sh >= 0 && fastp && rp != NULL) {
        dw_channel(a1, a2, wc, s2[c], &q, fr, n_frames, rp, op, 0, 1, 1);
    } else {
        dw_channel(a1, a2, wc, s2[c], &q, fr, n_frames, rp, op, 2, has_prelu ? 2 : 0, rp != NULL);
    }
}

void bnn_bdwconv1d_fast_s32(const uint32_t *bits1, const uint32_t *bits2, int n_ch, int n_frames,
                            const int32_t *s2, const uint32_t *w, int k, int pad, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out)
{
    if (k > 8 || k < 1 || n_frames > T_MAX || n_frames < 1 || pad < 0 || pad > 8) {
        bnn_bdwconv1d_s32(bits1, bits2, n_ch, n_frames, s2, w, k, pad, rq, res, out);
        return;
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
    if (!(k == 5 && pad == 2 && n_frames == 8 && rq->a != NULL && res != NULL)) {
        for (int c = 0; c < n_ch; ++c) {
            dw_generic(bits1, bits2, c, n_frames, s2, w, k, pad, rq, res, out, fr);
        }
        return;
    }
    /* the spec path, DW_BLK channels at a time: their constants, then their outputs (channels
     * outside its bounds one by one in the generic code) */
    dw_spec_t sp[DW_BLK];
    for (int c0 = 0; c0 < n_ch; c0 += DW_BLK) {
        const int nb = n_ch - c0 < DW_BLK ? n_ch - c0 : DW_BLK;
        if (!dw_spec_prepare(bits1, bits2, w, s2, rq, c0, nb, sp)) {
            dw_spec_run(sp, nb, res + c0 * 8, out + c0 * 8);
            continue;
        }
        for (int i = 0; i < nb; ++i) {
            const int c = c0 + i;
            if ((uint32_t)s2[c] <= BNN_S2_MAX && !dw_spec_bad_rq(rq->s[c], rq->b[c], rq->a[c])) {
                dw_spec_run(&sp[i], 1, res + c * 8, out + c * 8);
            } else {
                dw_generic(bits1, bits2, c, 8, s2, w, 5, 2, rq, res, out, fr);
            }
        }
    }
}
