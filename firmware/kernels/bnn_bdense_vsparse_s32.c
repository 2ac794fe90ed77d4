/* bnn_bdense_vsparse_s32 - binary dense per frame (1x1 conv / linear), fast variant of
 * bnn_bdense_s32 with the same arguments and the same results, but `w` in the "fast layout":
 *   w[i * out_words + k]  (i < n_in, k < out_words = ceil(n_out / 32)): column words, bit j of
 *                         word k = sign bit of output 32 k + j at input i (1 = negative);
 *   then n_out int16 colsum[o] (negative weights of output o), padded to a whole word.
 * (bifsmn_mcu/codegen/layout.py: pack_bdense_fast.) The dot products of both bit planes of
 * every frame come from bnn_bmm_fast_i32 (vertical sparse carry-save kernel, picked per core by
 * bnn_kernels_select.h); the output transform is bnn_bdense_s32's, computed by bnn_fastrq.h.
 * Scalar cores (bnn_vs_fused.h) and Helium (frame_vec) take the column counts of both planes
 * straight into the transform instead, where every row list fits one counting pass.
 * Cortex-M with DSP and the model's shape (8 frames, PReLU, n_in <= 480, n_out <= 256): per call
 * the per-output constants into one 24-byte record each (bd_records, about 40 instructions per
 * output channel), per frame both planes' counts, then every full column word's 32 outputs in
 * Thumb-2 assembly (bd_words: 12 instructions per output, 14 with the residual; the C transform
 * took about 21 plus 54 per channel and call for bnn_frq_prepare_fold).
 * Helium with 8 frames, whole groups of 128 outputs and every S > 32: the constants as per-call
 * records in read order (records_vec), the transform from contiguous loads (frame_rec, ~6
 * instructions per output against ~15 for frame_vec's gathers).
 */
#include "bnn_kernels.h"
#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"
#include "bnn_scratch.h"
#include "bnn_vs_fused.h"

/* this kernel's scratch (bnn_scratch.h), and its general path's and assembly path's parts */
#define SCR (bnn_scratch.bdense)
#define GEN (bnn_scratch.bdense.path.gen)
#define BD (bnn_scratch.bdense.path.bd)

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include "bnn_vsparse_mve.h"
#if defined(__GNUC__) && !defined(__clang__)
/* as in bnn_vsparse_mve.h: without scheduling GCC spills fewer Q registers (8 on MVE) */
#pragma GCC optimize("no-schedule-insns", "no-schedule-insns2")
#endif
/* Helium output transform, four channels per vector, the constants as separate arrays:
 * VMULH gives the product's high word, VSHL by -(S-32) the arithmetic shift, VQADD the
 * saturating bias / residual adds; PReLU (y * A + 2^14) >> 15 is VQRDMULH(y, A << 16) (exact for
 * |A| < 2^15, checked), selected for the negative lanes. Outputs are strided: scatter/gather. The
 * constants: GEN.vm, vk, vsh, vb, va, v32 (1 where S == 32: the low word's top bit rounds), SCR.any32. */

/* The vector constants straight from rq, four channels per step (SCR.rq is filled only when a
 * scalar path needs it); returns 1 when every channel has S >= 32 and, with PReLU, |A| < 2^15. */
static int prepare_vec(const bnn_requant_t *rq, int n_out, int prelu)
{
    int32x4_t mn = vdupq_n_s32(0), amax = vdupq_n_s32(0);
    uint32x4_t any = vdupq_n_u32(0);
    for (int o = 0; o < n_out; o += 4) {
        const mve_pred16_t pr = vctp32q((uint32_t)(n_out - o));
        /* lanes past n_out: sh = 1 (no effect on the checks) */
        const int32x4_t sh = vsubq_m_n_s32(vdupq_n_s32(1), vldrbq_z_s32(rq->s + o, pr), 32, pr);
        /* 1 where S == 32 (for sh >= 0; a negative sh fails the check anyway) */
        const uint32x4_t v32 = vshrq_n_u32(vreinterpretq_u32_s32(vsubq_n_s32(sh, 1)), 31);
        mn = vminq_s32(mn, sh);
        any = vorrq_u32(any, v32);
        vstrwq_s32(GEN.vm + o, vldrwq_z_s32(rq->m + o, pr));
        vstrwq_s32(GEN.vk + o, vshlq_s32(vdupq_n_s32(1), vsubq_n_s32(sh, 1))); /* 2^(S-33), 0 for S == 32 */
        vstrwq_u32(GEN.v32 + o, v32);
        vstrwq_s32(GEN.vsh + o, vnegq_s32(sh));
        vstrwq_s32(GEN.vb + o, vldrwq_z_s32(rq->b + o, pr));
        if (prelu) {
            const int32x4_t a = vldrwq_z_s32(rq->a + o, pr);
            amax = vmaxq_s32(amax, vqabsq_s32(a));
            vstrwq_s32(GEN.va + o, vshlq_n_s32(a, 16));
        }
    }
    SCR.any32 = vmaxvq_u32(0u, any) != 0u;
    return vminvq_s32(0, mn) >= 0 && vmaxvq_s32(0, amax) < 32768;
}

static inline void transform_vec(int n_out, int n_frames, int32_t s2t, int32_t *op, const int32_t *rp, int prelu,
                                 int any32)
{
    const uint32x4_t lanes = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)n_frames);
    int o = 0;
    for (; o + 4 <= n_out; o += 4) {
        const int32x4_t d1 = vldrwq_s32(GEN.d[0] + o), d2 = vldrwq_s32(GEN.d[1] + o);
        const int32x4_t acc = vmlaq_n_s32(vshlq_n_s32(d1, BNN_Q_ACT), d2, s2t);
        const int32x4_t vm = vldrwq_s32(GEN.vm + o);
        int32x4_t y = vaddq_s32(vmulhq_s32(acc, vm), vldrwq_s32(GEN.vk + o));
        if (any32) { /* S == 32 lanes round with the low word's top bit */
            const uint32x4_t rnd = vandq_u32(vshrq_n_u32(vreinterpretq_u32_s32(vmulq_s32(acc, vm)), 31),
                                             vldrwq_u32(GEN.v32 + o));
            y = vaddq_s32(y, vreinterpretq_s32_u32(rnd));
        }
        y = vqaddq_s32(vshlq_s32(y, vldrwq_s32(GEN.vsh + o)), vldrwq_s32(GEN.vb + o));
        if (prelu) {
            y = vpselq_s32(vqrdmulhq_s32(y, vldrwq_s32(GEN.va + o)), y, vcmpltq_n_s32(y, 0));
        }
        const uint32x4_t off = vaddq_n_u32(lanes, (uint32_t)(o * n_frames));
        if (rp != NULL) {
            y = vqaddq_s32(y, vldrwq_gather_shifted_offset_s32(rp, off));
        }
        vstrwq_scatter_shifted_offset_s32(op, off, y);
    }
    for (; o < n_out; ++o) {
        const int32_t acc = GEN.d[0][o] * BNN_ONE + s2t * GEN.d[1][o];
        int32_t y = bnn_frq_requant33(acc, &SCR.rq[o]);
        if (prelu) {
            y = bnn_frq_prelu(y, &SCR.rq[o]);
        }
        if (rp != NULL) {
            y = bnn_frq_qadd(y, rp[o * n_frames]);
        }
        op[o * n_frames] = y;
    }
}

/* Fused Helium path: both planes' column counts go from the byte lanes of the carry-save count
 * (bnn_vsparse_mve.h) straight into the vector transform, without the d arrays. With the list
 * of plane p (base_p, sign g_p = +1 / -1 for minority 1 / 0), d_p = base_p + g_p (4 S_p - 2 cs), so
 *   acc = ONE d1 + s2 d2 = K0 + 4 ONE g1 S1 + 4 s2 g2 S2 - 2 (ONE g1 + s2 g2) cs
 * (int32 throughout: the true acc fits, as on the d path). Byte m of lane q of plane r of column
 * group g (outputs 128 g + 32 q + 8 m + r) is stored at SCR.cb[p][128 g + 16 r + 4 q + m] and read
 * back four outputs (q = 0..3) per byte gather. Returns 0 (nothing written) when a list needs
 * more than one counting pass. */
static const uint32_t s_vzero[BNN_BMM_MAX_OUT / 32 + 4];

/* Plane 1's count bytes as an opaque pointer (plane 2's follow CB_STRIDE bytes later): with a
 * known address GCC derives both from the scratch union's address in every step, one ADD more per
 * step than with plane 1's held in a register, as for a separate array. */
#define CB_STRIDE sizeof SCR.cb[0]
static inline BNN_ALWAYS_INLINE const uint8_t *cb_base(void)
{
    const uint8_t *p = SCR.cb[0];
    __asm__("" : "+r"(p));
    return p;
}

static int counts_vec(const uint32_t *av, int n_in, const uint32_t *w, int n_out, uint8_t *cb, bnn_vs_list_t *info)
{
    const int out_words = (n_out + 31) >> 5;
    *info = bnn_vs_build_list(av, n_in, w, out_words, s_vzero, SCR.bmm.list);
    if (info->n > BNN_VS_SEG) {
        return 0;
    }
    for (int k = 0; k < out_words; k += 4, cb += 128) {
        const int nq = (out_words - k) < 4 ? (out_words - k) : 4;
        uint32x4_t p[8];
        count_planes_q((const uint32_t *const *)SCR.bmm.list, info->n, k, nq, vctp32q((uint32_t)nq), p);
        planes_to_bytes_q(p);
        for (int r = 0; r < 8; ++r) {
            vstrwq_u32((uint32_t *)(void *)(cb + 16 * r), p[r]);
        }
    }
    return 1;
}

static inline BNN_ALWAYS_INLINE int frame_vec(const uint32_t *a1, const uint32_t *a2, int n_in, int32_t s2t, const uint32_t *w,
                            const int16_t *colsum, int n_out, int n_frames, int32_t *op, const int32_t *rp,
                            int prelu, int any32)
{
    bnn_vs_list_t i1, i2;
    if (!counts_vec(a1, n_in, w, n_out, SCR.cb[0], &i1) || !counts_vec(a2, n_in, w, n_out, SCR.cb[1], &i2)) {
        return 0;
    }
    const bnn_vsf_k_t kk = bnn_vsf_k_make(i1, i2, s2t);
    const int32_t k1 = (int32_t)kk.k1, k2 = (int32_t)kk.k2, k3 = (int32_t)kk.k3;
    const uint8_t *cb = cb_base();
    const uint32_t T = (uint32_t)n_frames;
    const uint32x4_t lane32 = vmulq_n_u32(vidupq_n_u32(0, 1), 32u);
    const uint32x4_t lane4 = vidupq_n_u32(0, 4);
    const uint32x4_t lane32t = vmulq_n_u32(lane32, T);
    const int32x4_t vk0 = vdupq_n_s32((int32_t)kk.k0);
    for (int g = 0; 128 * g < n_out; ++g) {
        for (int r = 0; r < 8; ++r) {
            for (int m = 0; m < 4; ++m) {
                const uint32_t o0 = (uint32_t)(128 * g + 8 * m + r);
                const uint32x4_t offo = vaddq_n_u32(lane32, o0);
                const mve_pred16_t pr = vcmphiq_u32(vdupq_n_u32((uint32_t)n_out), offo);
                const uint32x4_t offb = vaddq_n_u32(lane4, (uint32_t)(128 * g + 16 * r + m));
                const int32x4_t c1 = vreinterpretq_s32_u32(vldrbq_gather_offset_u32(cb, offb));
                const int32x4_t c2 = vreinterpretq_s32_u32(vldrbq_gather_offset_u32(cb + CB_STRIDE, offb));
                const int32x4_t cs = vldrhq_gather_shifted_offset_z_s32(colsum, offo, pr);
                int32x4_t acc = vmlaq_n_s32(vk0, c1, k1);
                acc = vmlaq_n_s32(acc, c2, k2);
                acc = vmlaq_n_s32(acc, cs, k3);
                const int32x4_t vm = vldrwq_gather_shifted_offset_s32(GEN.vm, offo);
                int32x4_t y = vaddq_s32(vmulhq_s32(acc, vm), vldrwq_gather_shifted_offset_s32(GEN.vk, offo));
                if (any32) { /* S == 32 lanes round with the low word's top bit */
                    const uint32x4_t rnd = vandq_u32(vshrq_n_u32(vreinterpretq_u32_s32(vmulq_s32(acc, vm)), 31),
                                                     vldrwq_gather_shifted_offset_u32(GEN.v32, offo));
                    y = vaddq_s32(y, vreinterpretq_s32_u32(rnd));
                }
                y = vqaddq_s32(vshlq_s32(y, vldrwq_gather_shifted_offset_s32(GEN.vsh, offo)),
                               vldrwq_gather_shifted_offset_s32(GEN.vb, offo));
                if (prelu) {
                    y = vpselq_s32(vqrdmulhq_s32(y, vldrwq_gather_shifted_offset_s32(GEN.va, offo)), y,
                                   vcmpltq_n_s32(y, 0));
                }
                const uint32x4_t offt = vaddq_n_u32(lane32t, o0 * T);
                if (rp != NULL) {
                    y = vqaddq_s32(y, vldrwq_gather_shifted_offset_z_s32(rp, offt, pr));
                }
                vstrwq_scatter_shifted_offset_p_s32(op, offt, y, pr);
            }
        }
    }
    return 1;
}

/* The same fused Helium path for whole groups of 128 outputs with every channel on the 32-bit
 * path (S > 32, |A| < 2^15): the constants of the four outputs read per step (lane q = output
 * 128 g + 32 q + 8 m + r) are laid out per call as one record of six vectors (colsum, M,
 * 2^(S-33), -(S-32), B, A << 16) in the order frame_rec reads them, so each step loads them with
 * contiguous VLDRW from one pointer instead of six gathers and their offsets (and no predicates):
 * about 6 instructions per output against ~15. */
#define BV_REC BNN_BV_REC /* int32 per record */
/* frame_rec's input limit. It does not check counts_vec's result, so each plane's row list must fit
 * one counting pass: at most n_in / 2 minority rows, padded to a multiple of 16 (Helium), must stay
 * <= BNN_VS_SEG (a multiple of 16), i.e. n_in <= 2 BNN_VS_SEG = 480; acc inside int32 needs only
 * n_in <= BNN_I32_MAX_IN (504). (It was 448 before, copied from the conv's CV_MAX_IN: a margin
 * nothing needed.) */
#define BV_REC_MAX_IN (2 * BNN_VS_SEG)
#if BV_REC_MAX_IN * (BNN_ONE + BNN_S2_MAX) > 0x7fffffff || (BNN_VS_SEG % 16) != 0
#error "BV_REC_MAX_IN: one counting pass and acc inside int32"
#endif

static int records_vec(const bnn_requant_t *rq, const int16_t *colsum, int n_out, int prelu)
{
    const uint32x4_t lane32 = vmulq_n_u32(vidupq_n_u32(0, 1), 32u);
    int32x4_t mn = vdupq_n_s32(1), amax = vdupq_n_s32(0);
    int32_t *rec = SCR.path.vrec;
    for (int g = 0; 128 * g < n_out; ++g) {
        for (int r = 0; r < 8; ++r) {
            for (int m = 0; m < 4; ++m, rec += BV_REC) {
                const uint32x4_t offo = vaddq_n_u32(lane32, (uint32_t)(128 * g + 8 * m + r));
                const int32x4_t sh = vsubq_n_s32(vldrbq_gather_offset_s32(rq->s, offo), 32);
                mn = vminq_s32(mn, sh);
                vstrwq_s32(rec, vldrhq_gather_shifted_offset_s32(colsum, offo));
                vstrwq_s32(rec + 4, vldrwq_gather_shifted_offset_s32(rq->m, offo));
                vstrwq_s32(rec + 8, vshlq_s32(vdupq_n_s32(1), vsubq_n_s32(sh, 1))); /* 2^(S-33) */
                vstrwq_s32(rec + 12, vnegq_s32(sh));
                vstrwq_s32(rec + 16, vldrwq_gather_shifted_offset_s32(rq->b, offo));
                if (prelu) {
                    const int32x4_t a = vldrwq_gather_shifted_offset_s32(rq->a, offo);
                    amax = vmaxq_s32(amax, vqabsq_s32(a));
                    vstrwq_s32(rec + 20, vshlq_n_s32(a, 16));
                }
            }
        }
    }
    return vminvq_s32(1, mn) >= 1 && vmaxvq_s32(0, amax) < 32768;
}

static inline BNN_ALWAYS_INLINE void frame_rec(const uint32_t *a1, const uint32_t *a2, int n_in, int32_t s2t,
                                               const uint32_t *w, int n_out, int32_t *op, const int32_t *rp,
                                               int prelu, int has_res)
{
    bnn_vs_list_t i1, i2;
    (void)counts_vec(a1, n_in, w, n_out, SCR.cb[0], &i1); /* one pass: n_in <= BV_REC_MAX_IN (caller) */
    (void)counts_vec(a2, n_in, w, n_out, SCR.cb[1], &i2);
    const bnn_vsf_k_t kk = bnn_vsf_k_make(i1, i2, s2t);
    const int32x4_t vk0 = vdupq_n_s32((int32_t)kk.k0);
    const int32_t k1 = (int32_t)kk.k1, k2 = (int32_t)kk.k2, k3 = (int32_t)kk.k3;
    const uint32x4_t lane4 = vidupq_n_u32(0, 4);
    const uint32x4_t lane256 = vmulq_n_u32(vidupq_n_u32(0, 1), 256u); /* 32 outputs x 8 frames */
    const int32_t *rec = SCR.path.vrec;
    const uint8_t *cb = cb_base();
    for (int g = 0; 128 * g < n_out; ++g) {
        for (int r = 0; r < 8; ++r) {
            for (int m = 0; m < 4; ++m, rec += BV_REC) {
                const uint32_t o0 = (uint32_t)(128 * g + 8 * m + r);
                const uint32x4_t offb = vaddq_n_u32(lane4, (uint32_t)(128 * g + 16 * r + m));
                const int32x4_t c1 = vreinterpretq_s32_u32(vldrbq_gather_offset_u32(cb, offb));
                const int32x4_t c2 = vreinterpretq_s32_u32(vldrbq_gather_offset_u32(cb + CB_STRIDE, offb));
                int32x4_t acc = vmlaq_n_s32(vk0, vldrwq_s32(rec), k3);
                acc = vmlaq_n_s32(acc, c1, k1);
                acc = vmlaq_n_s32(acc, c2, k2);
                int32x4_t y = vaddq_s32(vmulhq_s32(acc, vldrwq_s32(rec + 4)), vldrwq_s32(rec + 8));
                y = vqaddq_s32(vshlq_s32(y, vldrwq_s32(rec + 12)), vldrwq_s32(rec + 16));
                if (prelu) {
                    y = vpselq_s32(vqrdmulhq_s32(y, vldrwq_s32(rec + 20)), y, vcmpltq_n_s32(y, 0));
                }
                const uint32x4_t offt = vaddq_n_u32(lane256, o0 * 8u);
                if (has_res) {
                    y = vqaddq_s32(y, vldrwq_gather_shifted_offset_s32(rp, offt));
                }
                vstrwq_scatter_shifted_offset_s32(op, offt, y);
            }
        }
    }
}
#endif

#if !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
/* Fused path (scalar cores, bnn_vs_fused.h): both planes' column counts go straight into the
 * output transform, without the d arrays. */
static const uint32_t s_fzero[BNN_BMM_MAX_OUT / 32];

static inline int fz_frame(const uint32_t *a1, const uint32_t *a2, int n_in, int32_t s2t, const uint32_t *w,
                           const int16_t *colsum, int n_out, int T, int32_t *op, const int32_t *rp, int prelu,
                           int has_res)
{
    const bnn_vsf_scratch_t sc = {SCR.bmm.list, s_fzero, GEN.fp1, SCR.rq};
    return bnn_vsf_frame(&sc, a1, a2, n_in, s2t, w, colsum, NULL, n_out, T, op, rp, prelu, has_res, 0);
}

#ifdef BNN_BD_ASM
/* The model's shape (8 frames, PReLU, n_in <= 2 BNN_VS_SEG so a row list never needs a second
 * counting pass, n_out <= BD_MAX_OUT): every full column word's 32 outputs in Thumb-2 assembly,
 * 12 instructions per output (14 with the residual) against about 21 in C:
 *   LDRB c1, LDRB c2 (the byte lanes of both planes, stored next to each other), LDM cs, M and
 *   the 64-bit rounding constant, three MLA for acc = K0 + K3 cs + K1 c1 + K2 c2, SMLAL, LDM S - 32
 *   and A << 17, ASRS (its sign picks the PReLU branch), IT + SMMULR, [LDR + QADD], STR.
 * The per-output constants are copied once per call into BD.rec, in the order the unrolled code
 * reads them (lane 8 m + r of a word as record 4 r + m, the order of the bytes in the lanes). */
#define BD_MAX_OUT BNN_BD_MAX_OUT
#define BD_REC BNN_BD_REC /* cs, M, rnd low, rnd high, S - 32, A << 17 */

typedef struct {
    const uint32_t *pw;     /* BD.pw[0] */
    const int32_t *rec;     /* BD.rec */
    int32_t *op;            /* output 0 of the frame (output o at op[8 o]) */
    const int32_t *rp;      /* residual, the same offsets */
    uint32_t k0, k1, k2, k3; /* bnn_vs_fused.h */
    uint32_t words;         /* full column words (>= 1) */
} bd_args_t;

/* the naked functions' parameter is read by their assembly only */
#define BD_ARG __attribute__((unused))

/* output 8 \mm + \rr of a word: registers pw r0, rec r1, op r2, rp r3, K0..K3 r4..r7; RES adds the
 * residual */
#define BD_OUT(RES)                                                                                \
    "ldrb r8, [r0, #(4 * \\rr + \\mm)]\n"                                                          \
    "ldrb r9, [r0, #(32 + 4 * \\rr + \\mm)]\n"                                                     \
    "ldmia r1!, {r10, r11, r12, lr}\n"                                                             \
    "mla r10, r10, r7, r4\n"                                                                       \
    "mla r10, r8, r5, r10\n"                                                                       \
    "mla r10, r9, r6, r10\n"                                                                       \
    "smlal r12, lr, r10, r11\n"                                                                    \
    "ldmia r1!, {r8, r9}\n"                                                                        \
    "asrs lr, lr, r8\n"                                                                            \
    "it mi\n"                                                                                      \
    "smmulrmi lr, lr, r9\n" RES "str lr, [r2, #(32 * (8 * \\mm + \\rr))]\n"

/* all full words of one frame: the args struct in r0, the word count on the stack */
#define BD_WORDS(RES)                                                                              \
    "push {r4-r11, lr}\n"                                                                          \
    "ldr r4, [r0, #32]\n"                                                                          \
    "push {r4}\n"                                                                                  \
    "ldm r0, {r0-r7}\n"                                                                            \
    "1:\n"                                                                                         \
    ".irp rr, 0,1,2,3,4,5,6,7\n"                                                                   \
    ".irp mm, 0,1,2,3\n" BD_OUT(RES) ".endr\n"                                                     \
    ".endr\n"                                                                                      \
    "adds r0, r0, #64\n"                                                                           \
    "add r2, r2, #1024\n"                                                                          \
    "add r3, r3, #1024\n"                                                                          \
    "ldr r8, [sp]\n"                                                                               \
    "subs r8, r8, #1\n"                                                                            \
    "str r8, [sp]\n"                                                                               \
    "bne 1b\n"                                                                                     \
    "add sp, sp, #4\n"                                                                             \
    "pop {r4-r11, pc}\n"

__attribute__((naked, noinline)) static void bd_words(BD_ARG const bd_args_t *a)
{
    __asm__(BD_WORDS(""));
}

__attribute__((naked, noinline)) static void bd_words_res(BD_ARG const bd_args_t *a)
{
    __asm__(BD_WORDS("ldr r8, [r3, #(32 * (8 * \\mm + \\rr))]\nqadd lr, lr, r8\n"));
}

/* Outputs with a wide PReLU slope (bnn_frq_slope_wide: 0.5 or more): bd_words writes them with a
 * wrong slope, bd_wide rewrites them exactly afterwards. */
#define BD_WIDE_MAX BNN_BD_WIDE_MAX

/* BD.rec for the `words` full column words, straight from rq and colsum: the constants of
 * bnn_frq_prepare_fold (rnd = 2^(S-1) + B 2^S, A << 17) under its conditions (bnn_frq_fold_bad),
 * up to BD_WIDE_MAX wide slopes listed in BD.wide. Returns 1 when every channel meets them. */
static int bd_records(const bnn_requant_t *rq, const int16_t *colsum, int words, uint32_t acc_bound)
{
    int32_t *rec = BD.rec;
    uint32_t bad = 0u;
    BD.nwide = 0;
    for (int k = 0; k < words; ++k) {
        for (int r = 0; r < 8; ++r) {
            for (int m = 0; m < 4; ++m, rec += BD_REC) {
                const int o = 32 * k + 8 * m + r;
                const uint32_t shc = (uint32_t)((int32_t)rq->s[o] - 32) & 31u;
                const int32_t b = rq->b[o];
                const uint32_t a = (uint32_t)rq->a[o];
                if (bnn_frq_slope_wide((int32_t)a)) {
                    bad |= (uint32_t)(BD.nwide == BD_WIDE_MAX);
                    if (BD.nwide < BD_WIDE_MAX) {
                        BD.wide[BD.nwide++] = (int16_t)o;
                    }
                }
                bad |= bnn_frq_fold_bad(rq->s[o], b, acc_bound);
                rec[0] = colsum[o];
                rec[1] = rq->m[o];
                rec[2] = (int32_t)((1u << shc) << 31);
                rec[3] = (int32_t)((1u << shc >> 1) + ((uint32_t)b << shc));
                rec[4] = (int32_t)shc;
                rec[5] = (int32_t)(a << 17);
            }
        }
    }
    return bad == 0u;
}

/* the BD.wide outputs of one frame again, exactly: the slope A by the 64-bit product */
static void bd_wide(const bd_args_t *a, const int32_t *slope)
{
    for (int i = 0; i < BD.nwide; ++i) {
        const int o = BD.wide[i], k = o >> 5, r = o & 7, m = (o >> 3) & 3;
        const uint8_t *pw = (const uint8_t *)(a->pw + 16 * k);
        const int32_t *rec = a->rec + (32 * k + 4 * r + m) * BD_REC;
        const uint32_t acc = a->k0 + a->k3 * (uint32_t)rec[0] + a->k1 * pw[4 * r + m] + a->k2 * pw[32 + 4 * r + m];
        const int64_t rnd = (int64_t)(((uint64_t)(uint32_t)rec[3] << 32) | (uint32_t)rec[2]);
        int32_t y = (int32_t)(((int64_t)(int32_t)acc * rec[1] + rnd) >> 32) >> rec[4];
        y = bnn_prelu(y, slope[o]);
        if (a->rp != NULL) {
            y = bnn_frq_qadd(y, a->rp[8 * o]);
        }
        a->op[8 * o] = y;
    }
}

/* one frame of the model's shape (see above): both planes' counts into BD.pw, then the outputs
 * (the partial last word's PReLU: `tail_prelu`, bnn_vs_fused.h) */
static void bd_frame8(const uint32_t *a1, const uint32_t *a2, int n_in, int32_t s2t, const uint32_t *w,
                      const int16_t *colsum, int n_out, const int32_t *slope, int32_t *op, const int32_t *rp,
                      int tail_prelu)
{
    const int out_words = (n_out + 31) >> 5, full = n_out >> 5;
    const bnn_vs_list_t i1 = bnn_vs_build_list(a1, n_in, w, out_words, s_fzero, SCR.bmm.list);
    for (int k = 0; k < out_words; ++k) {
        BNN_VS_COUNT((const uint32_t *const *)SCR.bmm.list, i1.n, k, BD.pw[k]);
        bnn_vs_planes_to_bytes(BD.pw[k]);
    }
    const bnn_vs_list_t i2 = bnn_vs_build_list(a2, n_in, w, out_words, s_fzero, SCR.bmm.list);
    for (int k = 0; k < out_words; ++k) {
        BNN_VS_COUNT((const uint32_t *const *)SCR.bmm.list, i2.n, k, BD.pw[k] + 8);
        bnn_vs_planes_to_bytes(BD.pw[k] + 8);
    }
    const bnn_vsf_k_t kk = bnn_vsf_k_make(i1, i2, s2t);
    const bd_args_t a = {BD.pw[0], BD.rec, op, rp, kk.k0, kk.k1, kk.k2, kk.k3, (uint32_t)full};
    if (full > 0) {
        if (rp != NULL) {
            bd_words_res(&a);
        } else {
            bd_words(&a);
        }
        bd_wide(&a, slope);
    }
    if (full < out_words) { /* the last, partial word */
        const size_t off = (size_t)(32 * full) * 8u;
        bnn_vsf_word(BD.pw[full], BD.pw[full] + 8, n_out - 32 * full, colsum + 32 * full, NULL, kk, 8, op + off,
                     rp != NULL ? rp + off : NULL, SCR.rq + 32 * full, tail_prelu, rp != NULL, 0);
    }
}
#endif
#endif

/* One frame's outputs; `fast33`, `prelu` and `res` are constants in each specialised call. */
static inline void transform(int n_out, int n_frames, int32_t s2t, int32_t *op, const int32_t *rp, int fast33,
                             int prelu)
{
    const int32_t *d1 = GEN.d[0], *d2 = GEN.d[1];
    const bnn_frq_t *c = SCR.rq;
    for (int o = 0; o < n_out; ++o, ++c, op += n_frames) {
        /* |d| <= n_in and s2 <= BNN_S2_MAX keep acc inside int32 */
        const int32_t acc = d1[o] * BNN_ONE + s2t * d2[o];
        int32_t y = fast33 ? bnn_frq_requant33(acc, c) : bnn_frq_requant(acc, c);
        if (prelu) {
            y = bnn_frq_prelu(y, c);
        }
        if (rp != NULL) {
            y = bnn_frq_qadd(y, *rp);
            rp += n_frames;
        }
        *op = y;
    }
}

void bnn_bdense_vsparse_s32(const uint32_t *bits1, const uint32_t *bits2, int n_in, int n_frames,
                            const int32_t *s2, const uint32_t *w, int n_out, const bnn_requant_t *rq,
                            const int32_t *res, int32_t *out)
{
    const int words = (n_in + 31) / 32;
    const int out_words = (n_out + 31) / 32;
    const int16_t *colsum = (const int16_t *)(w + (size_t)n_in * (size_t)out_words);
    const int prelu = rq->a != NULL;
    if (n_in > BNN_I32_MAX_IN || n_out > BNN_BMM_MAX_OUT) { /* acc beyond int32, or beyond the scratch */
        for (int t = 0; t < n_frames; ++t) {
            for (int o = 0; o < n_out; ++o) {
                int32_t d1, d2;
                if (n_out > BNN_BMM_MAX_OUT) { /* one output at a time: column o of the layout */
                    d1 = d2 = 0;
                    for (int i = 0; i < n_in; ++i) {
                        const uint32_t wi = (w[(size_t)i * (size_t)out_words + (size_t)(o >> 5)] >> (o & 31)) & 1u;
                        d1 += (((bits1[t * words + (i >> 5)] >> (i & 31)) & 1u) ^ wi) ? -1 : 1;
                        d2 += (((bits2[t * words + (i >> 5)] >> (i & 31)) & 1u) ^ wi) ? -1 : 1;
                    }
                } else {
                    if (o == 0) {
                        bnn_bmm_fast_i32(bits1 + t * words, 0, 1, n_in, w, colsum, n_out, GEN.d[0]);
                        bnn_bmm_fast_i32(bits2 + t * words, 0, 1, n_in, w, colsum, n_out, GEN.d[1]);
                    }
                    d1 = GEN.d[0][o];
                    d2 = GEN.d[1][o];
                }
                const int64_t acc = (int64_t)d1 * BNN_ONE + (int64_t)s2[t] * d2;
                int32_t y = bnn_requant(acc, rq->m[o], rq->s[o], rq->b[o]);
                if (prelu) {
                    y = bnn_prelu(y, rq->a[o]);
                }
                if (res != NULL) {
                    y = bnn_sat_add32(y, res[o * n_frames + t]);
                }
                out[o * n_frames + t] = y;
            }
        }
        return;
    }
#ifdef BNN_BD_ASM
    /* res != out: bd_wide reads the residual again after bd_words_res has written the output (in
     * place, the fused C path below runs instead) */
    if (n_frames == 8 && prelu && n_in <= 2 * BNN_VS_SEG && n_out <= BD_MAX_OUT && res != out) {
        const int full = n_out >> 5;
        const uint32_t bound = (uint32_t)n_in * (uint32_t)(BNN_ONE + BNN_S2_MAX);
        /* the last, partial word's constants in SCR.rq (bnn_vsf_word) */
        const bnn_requant_t tail = {rq->m + 32 * full, rq->s + 32 * full, rq->b + 32 * full, rq->a + 32 * full};
        const int tail_fold = n_out == 32 * full ? BNN_FOLD_OK
                                                 : bnn_frq_prepare_fold(&tail, n_out - 32 * full, bound, 1,
                                                                        SCR.rq + 32 * full);
        if (bd_records(rq, colsum, full, bound) && tail_fold) {
            const int tail_prelu = (tail_fold & BNN_FOLD_WIDE) ? 2 : 1;
            for (int t = 0; t < 8; ++t) {
                bd_frame8(bits1 + t * words, bits2 + t * words, n_in, s2[t], w, colsum, n_out, rq->a, out + t,
                          res != NULL ? res + t : NULL, tail_prelu);
            }
            return;
        }
    }
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
    if (n_frames == 8 && n_out % 128 == 0 && n_in <= BV_REC_MAX_IN && records_vec(rq, colsum, n_out, prelu)) {
        for (int t = 0; t < 8; ++t) {
            const uint32_t *a1 = bits1 + t * words, *a2 = bits2 + t * words;
            if (prelu && res != NULL) {
                frame_rec(a1, a2, n_in, s2[t], w, n_out, out + t, res + t, 1, 1);
            } else if (prelu) {
                frame_rec(a1, a2, n_in, s2[t], w, n_out, out + t, NULL, 1, 0);
            } else {
                frame_rec(a1, a2, n_in, s2[t], w, n_out, out + t, res != NULL ? res + t : NULL, 0, res != NULL);
            }
        }
        return;
    }
    const int vec = prepare_vec(rq, n_out, prelu);
    int fast33 = 0, rq_ready = 0;
#else
    const int fold = bnn_frq_prepare_fold(rq, n_out, (uint32_t)n_in * (uint32_t)(BNN_ONE + BNN_S2_MAX), prelu, SCR.rq);
    const int fused = fold != 0, pmode = prelu ? ((fold & BNN_FOLD_WIDE) ? 2 : 1) : 0;
    const int fast33 = fused || bnn_frq_prepare(rq, n_out, SCR.rq);
#endif
    for (int t = 0; t < n_frames; ++t) {
#if !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
        if (fused) {
            const uint32_t *a1 = bits1 + t * words, *a2 = bits2 + t * words;
            int32_t *opf = out + t;
            const int32_t *rpf = res != NULL ? res + t : NULL;
            int done;
            if (n_frames == 8 && pmode == 1 && res == NULL) {
                done = fz_frame(a1, a2, n_in, s2[t], w, colsum, n_out, 8, opf, NULL, 1, 0);
            } else if (n_frames == 8 && pmode == 1) {
                done = fz_frame(a1, a2, n_in, s2[t], w, colsum, n_out, 8, opf, rpf, 1, 1);
            } else {
                done = fz_frame(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, opf, rpf, pmode, res != NULL);
            }
            if (done) {
                continue;
            }
        }
#else
        if (vec) {
            const uint32_t *a1 = bits1 + t * words, *a2 = bits2 + t * words;
            const int32_t *rpf = res != NULL ? res + t : NULL;
            int done;
            if (!SCR.any32 && prelu && res == NULL) {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, NULL, 1, 0);
            } else if (!SCR.any32 && prelu) {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, rpf, 1, 0);
            } else if (!SCR.any32 && res == NULL) {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, NULL, 0, 0);
            } else {
                done = frame_vec(a1, a2, n_in, s2[t], w, colsum, n_out, n_frames, out + t, rpf, prelu, SCR.any32);
            }
            if (done) {
                continue;
            }
        }
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
        if (!rq_ready) { /* the scalar constants, once, for the paths below */
            fast33 = bnn_frq_prepare(rq, n_out, SCR.rq);
            rq_ready = 1;
        }
#endif
        bnn_bmm_fast_i32(bits1 + t * words, 0, 1, n_in, w, colsum, n_out, GEN.d[0]);
        bnn_bmm_fast_i32(bits2 + t * words, 0, 1, n_in, w, colsum, n_out, GEN.d[1]);
        int32_t *op = out + t;
        const int32_t *rp = res != NULL ? res + t : NULL;
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
        if (vec) {
            if (SCR.any32) {
                transform_vec(n_out, n_frames, s2[t], op, rp, prelu, 1);
            } else {
                transform_vec(n_out, n_frames, s2[t], op, rp, prelu, 0);
            }
            continue;
        }
#endif
        if (fast33 && prelu && rp == NULL) {
            transform(n_out, n_frames, s2[t], op, NULL, 1, 1);
        } else if (fast33 && rp != NULL) {
            transform(n_out, n_frames, s2[t], op, rp, 1, prelu);
        } else {
            transform(n_out, n_frames, s2[t], op, rp, 0, prelu);
        }
    }
}
