/* bnn_conv2d_fast_s8 - bnn_conv2d_s8 (same arguments, same results), faster.
 *
 * Cores with the DSP extension (k 5, stride 2, out_w a multiple of 4, out_w and out_h <= 16):
 * the input minus its offset is copied once into "records" of int16 pairs, one per output row r
 * (pixel pairs by word loads from word-aligned rows, by halfword loads from the others: `in` needs
 * only int16 alignment and no access is unaligned):
 *   V-row r: word c = (padded pixel (2r, c), padded pixel (2r + 1, c)), c < V_W  (vertical pairs)
 *   tiles:   for each block of 4 outputs, 6 words = horizontal pairs of padded row 2r + 4
 * An output (oy, ox) reads V-rows oy and oy + 1 at columns 2ox .. 2ox + 4 (kernel rows 0-3, ten
 * SMLAD) and padded row 2oy + 4 at columns 2ox .. 2ox + 4 (kernel row 4: two SMLAD and one SMLABB),
 * 13 multiply instructions for its 25 MACs. The inner loop (bnn_c1_rows_dsp, Thumb-2 assembly)
 * computes 4 neighbouring outputs per pass with all 14 registers: 4 accumulators, the 5 weight pairs
 * of the current kernel row pair, 3 pixel words loaded by LDM, the V-row and scratch pointers; each
 * pixel word is loaded once per pass for all the outputs it touches. It then applies the folded
 * output transform (bnn_fastrq.h) in 4 instructions per output: with the weights doubled,
 * (2 acc M + 2 rnd) >> (33 + sh) = SMMLA(2 acc, M, 2 rnd >> 32) >> (sh + 1) (2 rnd is a multiple of
 * 2^32, S >= 32), whose sign flag selects the PReLU SMMULR. Channels whose constants do not allow
 * that (no fold, no PReLU, or 2 rnd >> 32 too close to the int32 limit) get their raw accumulators
 * from the assembly and the C transform afterwards.
 * Elsewhere (no DSP, other shapes, offsets the int16 pairs cannot hold) the input minus its offset is
 * copied into a zero-padded int16 image and summed in C, or the portable kernel runs.
 */
#include <string.h>

#include "bnn_fastrq.h"
#include "bnn_kernels_select.h"
#include "bnn_scratch.h"

#define PAD_MAX BNN_C1_PAD_MAX /* padded image pixels of the C path (36 x 36 + slack: 32x32 input, pad 2, k 5) */
#define C_MAX BNN_C1_C_MAX
#define K_MAX 5

#define V_W BNN_C1_V_W /* words of a V-row: columns 0 .. 8 * 3 + 10 of 4 blocks of 4 outputs */
#define T_W 30      /* words of the tiles of a row: 4 blocks, 8 words apart, 6 used */
#define REC_W BNN_C1_REC_W /* V_W + T_W: one record */
#define RECS_MAX BNN_C1_RECS_MAX /* out_h <= 16: V-rows 0 .. out_h and the V-row out_h + 1 the tiles are cut from */

#if REC_W != V_W + T_W
#error "bnn_scratch.h: BNN_C1_REC_W"
#endif
/* this kernel's scratch (bnn_scratch.h): buf, the records (DSP) or the padded int16 image (C path),
 * 4680 bytes; rq; offrow */
#define SCR (bnn_scratch.conv2d_fast)

#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
#define C1_DSP 1
#define C1_STR(x) #x
#define C1_XSTR(x) C1_STR(x)

/* Four outputs of one V-row: r4-r8 the weight pairs of the two kernel rows, pixel words streamed
 * through r9-r11 from P (advanced by 8 columns, the next pass), FIRST starts or adds to r0-r3. */
#define C1_VROW(P, FIRST) \
    "    ldmia " P "!, {r9-r11}\n" \
    FIRST("r0", "r4", "r9") \
    "    smlad r0, r5, r10, r0\n" \
    "    smlad r0, r6, r11, r0\n" \
    FIRST("r1", "r4", "r11") \
    "    ldmia " P "!, {r9-r11}\n" \
    "    smlad r0, r7, r9, r0\n" \
    "    smlad r1, r5, r9, r1\n" \
    "    smlad r0, r8, r10, r0\n" \
    "    smlad r1, r6, r10, r1\n" \
    FIRST("r2", "r4", "r10") \
    "    smlad r1, r7, r11, r1\n" \
    "    smlad r2, r5, r11, r2\n" \
    "    ldrd r9, r10, [" P "], #8\n" \
    "    smlad r1, r8, r9, r1\n" \
    "    smlad r2, r6, r9, r2\n" \
    FIRST("r3", "r4", "r9") \
    "    smlad r2, r7, r10, r2\n" \
    "    smlad r3, r5, r10, r3\n" \
    "    ldmia " P ", {r9-r11}\n" \
    "    smlad r2, r8, r9, r2\n" \
    "    smlad r3, r6, r9, r3\n" \
    "    smlad r3, r7, r10, r3\n" \
    "    smlad r3, r8, r11, r3\n"
#define C1_START(D, W, X) "    smuad " D ", " W ", " X "\n"
#define C1_ADD(D, W, X) "    smlad " D ", " W ", " X ", " D "\n"

/* requantize (sh + 1 in r7, M in r5, 2 rnd >> 32 in r6) and PReLU (A << 17 in r8) of one output */
#define C1_OUT(D) \
    "    smmla " D ", " D ", r5, r6\n" \
    "    asrs " D ", " D ", r7\n" \
    "    it mi\n" \
    "    smmulrmi " D ", " D ", r8\n"

/* The accumulators of one pass (4 outputs) in r0-r3: kernel rows 0-1 from this record's V-row
 * (r12, advanced to the next pass), rows 2-3 from the next record's, row 4 from this record's tile. */
#define C1_PASS \
    "    ldmia sp, {r4-r8}\n" \
    C1_VROW("r12", C1_START) \
    "    add lr, sp, #20\n" \
    "    ldmia lr, {r4-r8}\n" \
    "    add lr, r12, #(4 * " C1_XSTR(REC_W) " - 32)\n" \
    C1_VROW("lr", C1_ADD) \
    "    add lr, sp, #40\n" \
    "    ldmia lr, {r4-r6}\n" \
    "    add lr, r12, #(4 * " C1_XSTR(V_W) " - 32)\n" \
    "    ldmia lr!, {r9-r11}\n" \
    "    smlad r0, r4, r9, r0\n" \
    "    smlad r0, r5, r10, r0\n" \
    "    smlad r1, r4, r10, r1\n" \
    "    smlabb r0, r6, r11, r0\n" \
    "    smlad r1, r5, r11, r1\n" \
    "    smlad r2, r4, r11, r2\n" \
    "    ldmia lr, {r9-r11}\n" \
    "    smlabb r1, r6, r9, r1\n" \
    "    smlad r2, r5, r9, r2\n" \
    "    smlad r3, r4, r9, r3\n" \
    "    smlabb r2, r6, r10, r2\n" \
    "    smlad r3, r5, r10, r3\n" \
    "    smlabb r3, r6, r11, r3\n"

/* store r0-r3 at out (r9, row end in r10), next pass of the row (L); then the next output row: the
 * next record, the row end one row further */
#define C1_NEXT(L) \
    "    stmia r9!, {r0-r3}\n" \
    "    str r9, [sp, #72]\n" \
    "    cmp r9, r10\n" \
    "    bne " L "\n" \
    "    ldr r5, [sp, #88]\n" \
    "    add r10, r10, r5\n" \
    "    str r10, [sp, #76]\n" \
    "    ldrd r12, r5, [sp, #80]\n" \
    "    add r12, r12, #(4 * " C1_XSTR(REC_W) ")\n" \
    "    subs r5, r5, #1\n" \
    "    strd r12, r5, [sp, #80]\n" \
    "    bne " L "\n"

/* void bnn_c1_rows_dsp(const uint32_t *rec, int32_t *out, const uint32_t *par, int out_h)
 * rec: record 0; out: out_h rows of out_w = 4 * blocks outputs; par (19 words): the weight pairs of
 * kernel rows 0-1 (5), rows 2-3 (5), row 4 (3: (w0,w1), (w2,w3), (w4,0)); raw flag, M, 2 rnd >> 32,
 * sh + 1, A << 17 (5); then the row length in bytes. Frame: par[0..17] at sp, out at sp+72, row end
 * at sp+76, record at sp+80, rows left at sp+84, row bytes at sp+88. Two copies of the loop: with the
 * output transform, and (raw flag set) storing the accumulators. */
__asm__(
    "    .text\n"
    "    .syntax unified\n"
    "    .thumb\n"
    "    .balign 4\n"
    "    .global bnn_c1_rows_dsp\n"
    "    .type bnn_c1_rows_dsp, %function\n"
    "    .thumb_func\n"
    "bnn_c1_rows_dsp:\n"
    "    push {r4-r11, lr}\n"
    "    sub sp, sp, #92\n"
    "    mov lr, sp\n"
    "    ldmia r2!, {r4-r12}\n"
    "    stmia lr!, {r4-r12}\n"
    "    ldmia r2!, {r4-r12}\n"
    "    stmia lr!, {r4-r12}\n"
    "    ldr r4, [r2]\n"
    "    add r5, r1, r4\n"
    "    strd r1, r5, [sp, #72]\n"
    "    strd r0, r3, [sp, #80]\n"
    "    str r4, [sp, #88]\n"
    "    mov r12, r0\n"
    "    ldr r4, [sp, #52]\n"
    "    cmp r4, #0\n"
    "    bne 3f\n"
    "1:\n"
    C1_PASS
    "    add lr, sp, #56\n"
    "    ldmia lr, {r5-r10}\n" /* constants, out, row end */
    C1_OUT("r0") C1_OUT("r1") C1_OUT("r2") C1_OUT("r3")
    C1_NEXT("1b")
    "    b 4f\n"
    "3:\n"
    C1_PASS
    "    ldrd r9, r10, [sp, #72]\n"
    C1_NEXT("3b")
    "4:\n"
    "    add sp, sp, #92\n"
    "    pop {r4-r11, pc}\n"
    "    .size bnn_c1_rows_dsp, . - bnn_c1_rows_dsp\n");

void bnn_c1_rows_dsp(const uint32_t *rec, int32_t *out, const uint32_t *par, int out_h);

/* DSP instructions on two int16 lanes: ssub16 / qsub16 / sadd16 (a - b wrapping / saturating, a + b),
 * pkhbt / pkhtb (the low / high halves of a and b); sxtb16e / sxtb16o: bytes 0, 2 / 1, 3 of a */
#define C1_OP2(NAME, INSN) \
    static inline uint32_t NAME(uint32_t a, uint32_t b) \
    { \
        uint32_t r; \
        __asm__(INSN : "=r"(r) : "r"(a), "r"(b)); \
        return r; \
    }
C1_OP2(ssub16, "ssub16 %0, %1, %2")
C1_OP2(qsub16, "qsub16 %0, %1, %2")
C1_OP2(sadd16, "sadd16 %0, %1, %2")
C1_OP2(pkhbt, "pkhbt %0, %1, %2, lsl #16")
C1_OP2(pkhtb, "pkhtb %0, %2, %1, asr #16")
#define C1_OP1(NAME, INSN) \
    static inline uint32_t NAME(uint32_t a) \
    { \
        uint32_t r; \
        __asm__(INSN : "=r"(r) : "r"(a)); \
        return r; \
    }
C1_OP1(sxtb16e, "sxtb16 %0, %1")
C1_OP1(sxtb16o, "sxtb16 %0, %1, ror #8")

/* Kernel rows q[0..4] and q[5..9] (int8) as 5 int16 pairs (q[c], q[5 + c]), doubled when dbl. */
static inline void c1_pair_rows(const int8_t *q, int dbl, uint32_t *w)
{
    uint32_t a, b;
    memcpy(&a, q, 4);
    memcpy(&b, q + 5, 4);
    uint32_t ae = sxtb16e(a), ao = sxtb16o(a), be = sxtb16e(b), bo = sxtb16o(b);
    uint32_t c4 = (uint16_t)q[4] | ((uint32_t)(uint16_t)q[9] << 16);
    if (dbl) {
        ae = sadd16(ae, ae);
        ao = sadd16(ao, ao);
        be = sadd16(be, be);
        bo = sadd16(bo, bo);
        c4 = sadd16(c4, c4);
    }
    w[0] = pkhbt(ae, be);
    w[1] = pkhbt(ao, bo);
    w[2] = pkhtb(ae, be);
    w[3] = pkhtb(ao, bo);
    w[4] = c4;
}

/* output transform: general constants (a17 != 0: PReLU by one SMMULR, bnn_frq_slope_wide) */
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
    return has_prelu ? bnn_frq_prelu_fold_any(y, c) : y;
}

/* Builds records 0 .. out_h + 1 from the input minus its offset; returns 0 when a pixel minus the
 * offset leaves int16 (the pairs would not hold it). Not inlined: its loops keep their registers; the few zero columns are stored
 * directly (not by memset calls). */
__attribute__((noinline, optimize("no-tree-loop-distribute-patterns"))) static int c1_records(const int16_t *in, int in_h, int in_w, int32_t in_offset, int pad, int out_h, int out_w)
{
    const uint32_t off2 = (uint32_t)(uint16_t)in_offset * 0x10001u;
    uint32_t bad = 0u;
    for (int c = 0; c < V_W; ++c) {
        SCR.offrow[c] = (int16_t)in_offset;
    }
    /* V-rows: zero columns outside the input (pad < V_W: out_w <= 16), pixel pairs of two rows inside */
    const int x1 = pad + in_w < V_W ? pad + in_w : V_W;
    const int pairs = (x1 - pad) / 2;
    for (int r = 0; r < out_h + 2; ++r) {
        uint32_t *v = SCR.buf.w + r * REC_W;
        uint32_t *const end = v + V_W;
        const int ya = 2 * r - pad, yb = ya + 1;
        const int16_t *pa = (ya >= 0 && ya < in_h) ? in + ya * in_w : SCR.offrow;
        const int16_t *pb = (yb >= 0 && yb < in_h) ? in + yb * in_w : SCR.offrow;
        for (int c = 0; c < pad; ++c) {
            *v++ = 0u;
        }
        /* two columns a step: a = (a0, a1) of row ya, b = (b0, b1) of row yb, minus (offset, offset)
         * in two lanes (the saturating difference differs iff a lane left int16), stored as (a0, b0)
         * and (a1, b1). Word loads only where both rows start word-aligned: `in` need only be int16
         * aligned (an odd in_w, a caller's buffer at an odd halfword), and nothing depends on
         * CCR.UNALIGN_TRP; other rows take two halfword loads per word in C. */
        if (pairs > 0 && ((uintptr_t)pa & 3u) == 0u && ((uintptr_t)pb & 3u) == 0u) {
            uint32_t a, b, da, db;
            int left = pairs;
            __asm__ volatile("1:\n"
                             "    ldr %[a], [%[pa]], #4\n"
                             "    ldr %[b], [%[pb]], #4\n"
                             "    ssub16 %[da], %[a], %[off]\n"
                             "    ssub16 %[db], %[b], %[off]\n"
                             "    qsub16 %[a], %[a], %[off]\n"
                             "    qsub16 %[b], %[b], %[off]\n"
                             "    eor %[a], %[a], %[da]\n"
                             "    eor %[b], %[b], %[db]\n"
                             "    orr %[bad], %[bad], %[a]\n"
                             "    orr %[bad], %[bad], %[b]\n"
                             "    pkhbt %[a], %[da], %[db], lsl #16\n"
                             "    pkhtb %[b], %[db], %[da], asr #16\n"
                             "    strd %[a], %[b], [%[v]], #8\n"
                             "    subs %[left], %[left], #1\n"
                             "    bne 1b\n"
                             : [pa] "+r"(pa), [pb] "+r"(pb), [v] "+r"(v), [left] "+r"(left), [bad] "+r"(bad),
                               [a] "=&r"(a), [b] "=&r"(b), [da] "=&r"(da), [db] "=&r"(db)
                             : [off] "r"(off2)
                             : "cc", "memory");
        } else {
            for (int i = 0; i < pairs; ++i, pa += 2, pb += 2) {
                const uint32_t a = (uint16_t)pa[0] | ((uint32_t)(uint16_t)pa[1] << 16);
                const uint32_t b = (uint16_t)pb[0] | ((uint32_t)(uint16_t)pb[1] << 16);
                const uint32_t da = ssub16(a, off2), db = ssub16(b, off2);
                bad |= (da ^ qsub16(a, off2)) | (db ^ qsub16(b, off2));
                v[0] = pkhbt(da, db);
                v[1] = pkhtb(da, db);
                v += 2;
            }
        }
        if ((x1 - pad) & 1) { /* the last column alone */
            const uint32_t ab = (uint16_t)*pa | ((uint32_t)(uint16_t)*pb << 16);
            const uint32_t d = ssub16(ab, off2);
            bad |= d ^ qsub16(ab, off2);
            *v++ = d;
        }
        while (v < end) {
            *v++ = 0u;
        }
    }
    /* tiles of row r: the low halves (padded row 2r + 4) of V-row r + 2, paired horizontally; the
     * last word holds column 10 of the pass in its low half (the high half is not read: SMLABB) */
    for (int r = 0; r < out_h; ++r) {
        const uint32_t *v = SCR.buf.w + (r + 2) * REC_W;
        uint32_t *t = SCR.buf.w + r * REC_W + V_W;
        int blocks = out_w / 4;
        __asm__ volatile("1:\n"
                         "    ldmia %[v]!, {r0-r5}\n"
                         "    pkhbt r0, r0, r1, lsl #16\n"
                         "    pkhbt r1, r2, r3, lsl #16\n"
                         "    pkhbt r2, r4, r5, lsl #16\n"
                         "    ldmia %[v]!, {r3-r4}\n"
                         "    pkhbt r3, r3, r4, lsl #16\n"
                         "    stmia %[t]!, {r0-r3}\n"
                         "    ldmia %[v], {r0-r2}\n"
                         "    pkhbt r0, r0, r1, lsl #16\n"
                         "    strd r0, r2, [%[t]], #16\n"
                         "    subs %[blocks], %[blocks], #1\n"
                         "    bne 1b\n"
                         : [v] "+r"(v), [t] "+r"(t), [blocks] "+r"(blocks)
                         :
                         : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");
    }
    return bad == 0u;
}
#else
#define C1_DSP 0
#endif

void bnn_conv2d_fast_s8(const int16_t *in, int in_h, int in_w, int32_t in_offset, const int8_t *q, int out_c,
                        int k, int stride, int pad, const bnn_requant_t *rq, int32_t *out)
{
    const int out_h = (in_h + 2 * pad - k) / stride + 1;
    const int out_w = (in_w + 2 * pad - k) / stride + 1;
    const int has_prelu = rq->a != NULL;
#if C1_DSP
    if (k == 5 && stride == 2 && pad >= 0 && out_c <= C_MAX && out_h >= 1 && out_h <= 16 && out_w >= 4 &&
        out_w <= 16 && (out_w & 3) == 0 && in_offset >= -32768 && in_offset <= 32767 &&
        c1_records(in, in_h, in_w, in_offset, pad, out_h, out_w)) {
        /* |acc| <= k*k * 128 * 32768 (int8 weights, int16 pixels) */
        const int fold = bnn_frq_prepare_fold(rq, out_c, 25u * 128u * 32768u, has_prelu, SCR.rq);
        if (!fold) {
            bnn_frq_prepare(rq, out_c, SCR.rq);
        }
        for (int o = 0; o < out_c; ++o) {
            const int8_t *qo = q + o * 25;
            const bnn_frq_t *c = &SCR.rq[o];
            int32_t *op = out + o * out_h * out_w;
            uint32_t par[19];
            /* the assembly transform: folded constants with PReLU, 2 rnd >> 32 = 2^sh + B 2^(sh+1)
             * within 2^31 - 2^27 (|2 acc M| >> 32 < 2^27 keeps SMMLA's high word in int32) */
            const int64_t h2 = c->rnd >> 31;
            const int own = fold && has_prelu && !bnn_frq_slope_wide(c->a) && h2 > -0x78000000LL && h2 < 0x78000000LL;
            /* doubled weights (own): the SMMLA form needs 2 acc */
            c1_pair_rows(qo, own, par);
            c1_pair_rows(qo + 10, own, par + 5);
            /* row 4: (q20, q21), (q22, q23), (q24, 0) */
            uint32_t r4;
            memcpy(&r4, qo + 20, 4);
            uint32_t e4 = sxtb16e(r4), o4 = sxtb16o(r4), w24 = (uint16_t)qo[24];
            if (own) {
                e4 = sadd16(e4, e4);
                o4 = sadd16(o4, o4);
                w24 = sadd16(w24, w24);
            }
            par[10] = pkhbt(e4, o4);
            par[11] = pkhtb(e4, o4);
            par[12] = w24;
            par[13] = own ? 0u : 1u;
            par[14] = (uint32_t)c->m;
            par[15] = (uint32_t)h2;
            par[16] = (uint32_t)c->sh + 1u;
            par[17] = (uint32_t)c->a17;
            par[18] = (uint32_t)out_w * 4u;
            bnn_c1_rows_dsp(SCR.buf.w, op, par, out_h);
            if (!own) {
                const int32_t a17 = (has_prelu && !bnn_frq_slope_wide(c->a)) ? (int32_t)((uint32_t)c->a << 17) : 0;
                for (int i = 0; i < out_h * out_w; ++i) {
                    op[i] = fold ? c1_fold(op[i], c, has_prelu) : c1_out(op[i], c, a17, has_prelu);
                }
            }
        }
        return;
    }
#endif
    const int ph = in_h + 2 * pad, pw = in_w + 2 * pad;
    int ok = ph * pw + 8 <= PAD_MAX && out_c <= C_MAX && k == K_MAX && stride == 2;
    for (int i = 0; ok && i < in_h * in_w; ++i) {
        const int32_t v = (int32_t)in[i] - in_offset;
        ok = v >= -32768 && v <= 32767;
    }
    if (!ok) {
        bnn_conv2d_s8(in, in_h, in_w, in_offset, q, out_c, k, stride, pad, rq, out);
        return;
    }
    int16_t *img = SCR.buf.h;
    memset(img, 0, sizeof SCR.buf.h);
    for (int y = 0; y < in_h; ++y) {
        int16_t *row = img + (y + pad) * pw + pad;
        const int16_t *src = in + y * in_w;
        for (int x = 0; x < in_w; ++x) {
            row[x] = (int16_t)(src[x] - in_offset);
        }
    }
    bnn_frq_prepare(rq, out_c, SCR.rq);
    for (int o = 0; o < out_c; ++o) {
        const int8_t *qo = q + o * 25;
        const bnn_frq_t *c = &SCR.rq[o];
        int32_t *op = out + o * out_h * out_w;
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox, ++op) {
                const int16_t *p = img + (2 * oy) * pw + 2 * ox;
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
    }
}
