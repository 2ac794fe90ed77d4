/* bnn_dsa_pack_cols_fast_s32 - bnn_dsa_pack_cols_s32 (same arguments, same results), faster.
 *
 * Per value v of row c: n1 = [v < t1], r = v - (t2 + ONE) + 2 ONE n1, bit n1 into plane 1, the sign
 * of r into plane 2, |r| into the column's sum. On Cortex-M (Thumb-2 assembly, naked functions):
 *  - per call, blocks of PC_BLOCK rows: the thresholds interleaved into a static scratch as pairs
 *    (t1, u = t2 + ONE), so one LDRD loads a row's pair (2.25 instructions per row with LDM / STM);
 *  - two columns at a time (one LDRD loads both values of a row), 32 rows unrolled with immediate
 *    load offsets and bit positions for the model's 8 columns, 16 rows with a register stride
 *    otherwise; |r| is summed as r ^ (r >> 31) (= |r| - [r < 0]), the negatives added back from
 *    the plane-2 word's popcount;
 *  - with DSP (M4, M33, M55): n1 from QSUB (exact sign for any value), r from QSUB, the sum by
 *    QADD; a word whose sum stays below 2^30 had every |r| <= 2^30, so no subtraction saturated or
 *    wrapped and the word is exact (9 instructions per value, 10 with the loads). u = t2 + ONE by
 *    QADD, exact unless the Q flag says it saturated (then the portable kernel);
 *  - without DSP (M3): plain SUB / ADD with every |t1|, |t2| < 2^29 (SSAT #30 sets Q otherwise),
 *    and the OR of the r ^ (r >> 31) below 2^27 proves v was in range (r cannot have wrapped to a
 *    small value) and the 32-bit sum exact (10 instructions per value, 11 with the loads).
 * A word that fails its test is redone with the 64-bit formula; rows past the last full 16 or 32,
 * an odd last column and other compilers take the 64-bit formula. On M4 the model's packs run
 * about 12.4 instructions per value with the per-word and per-call work (was 20.9). */
#include "bnn_kernels.h"
#include "bnn_scratch.h"

/* rows per threshold block (a multiple of 32): the scratch holds their (t1, u) pairs */
#define PC_BLOCK BNN_PC_BLOCK

/* rows c0 .. end-1 of column t with the 64-bit formula; returns the |r| sum */
static int64_t word_exact(const int32_t *x, int n_cols, int t, int c0, int end, const int32_t *t1,
                          const int32_t *t2, uint32_t *b1, uint32_t *b2)
{
    uint32_t w1 = 0u, w2 = 0u;
    int64_t sum = 0;
    for (int c = c0; c < end; ++c) {
        const int64_t v = x[c * n_cols + t];
        const int neg1 = (v - t1[c]) < 0;
        const int64_t r = v - (neg1 ? -BNN_ONE : BNN_ONE) - t2[c];
        w1 |= (uint32_t)neg1 << (c - c0);
        w2 |= (uint32_t)(r < 0) << (c - c0);
        sum += r < 0 ? -r : r;
    }
    *b1 = w1;
    *b2 = w2;
    return sum;
}

#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')

#define SCR (bnn_scratch.pack_cols) /* this kernel's scratch (bnn_scratch.h) */

/* the naked functions' parameters are read by their assembly only */
#define PC_ARG __attribute__((unused))

#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
#define PC_SUB "qsub"
#define PC_ADD "qadd"
#define PC_OR8(v) ""
#define PC_OR16(v) ""
#define PC_OUT0_8 ""
#define PC_OUT0_16 ""
#define PC_STM8 "stm lr, {r2-r7}\n"
#define PC_STM16 "stm lr, {r3-r6}\n"
/* u = t2 + ONE by QADD for the four rows in r5, r7, r9, r11 (lr = ONE) */
#define PC_PREP4 "qadd r5, r5, lr\nqadd r7, r7, lr\nqadd r9, r9, lr\nqadd r11, r11, lr\n"
/* a word's test: the QADD sum below 2^30 (no OR is kept) */
#define PC_OK(s, out) ((s) < (1u << 30))
#else
#define PC_SUB "sub"
#define PC_ADD "add"
#define PC_OR8(v) "orr r8, r8, " v "\n"
#define PC_OR16(v) "orr r7, r7, " v "\n"
#define PC_OUT0_8 "orr r8, r4, r7\n"
#define PC_OUT0_16 "orr r7, r4, r6\n"
#define PC_STM8 "stm lr, {r2-r8}\n"
#define PC_STM16 "stm lr, {r3-r7}\n"
/* |t1|, |t2| < 2^29 (SSAT sets Q otherwise), u = t2 + ONE */
#define PC_PREP4                                                                                   \
    "ssat lr, #30, r4\nssat lr, #30, r5\nssat lr, #30, r6\nssat lr, #30, r7\n"                     \
    "ssat lr, #30, r8\nssat lr, #30, r9\nssat lr, #30, r10\nssat lr, #30, r11\n"                   \
    "add r5, r5, #65536\nadd r7, r7, #65536\nadd r9, r9, #65536\nadd r11, r11, #65536\n"
/* a word's test: the OR of the r ^ (r >> 31) below 2^27 */
#define PC_OK(s, out) ((out) < (1u << 27))
#endif

/* thr[2 c] = t1[c], thr[2 c + 1] = t2[c] + ONE for 4 n4 rows (n4 >= 1); returns the Q flag:
 * 1 when a threshold is out of range */
__attribute__((naked, noinline)) static uint32_t pc_prepare(PC_ARG const int32_t *t1, PC_ARG const int32_t *t2,
                                                            PC_ARG int32_t *thr, PC_ARG int n4)
{
    __asm__("push {r4-r11, lr}\n"
            "mov lr, #65536\n"
            "movs r12, #0\n"
            "msr APSR_nzcvq, r12\n"
            "1:\n"
            "ldm r0!, {r4, r6, r8, r10}\n"
            "ldm r1!, {r5, r7, r9, r11}\n" PC_PREP4 "stm r2!, {r4-r11}\n"
            "subs r3, r3, #1\n"
            "bne 1b\n"
            "mrs r0, APSR\n"
            "ubfx r0, r0, #27, #1\n"
            "pop {r4-r11, pc}\n");
}

/* One value in V (destroyed) against thresholds T1, U of its row: plane-1 bit into W1 at bit
 * B1, plane-2 bit into W2 at B2, r ^ (r >> 31) into S (and OR (v) on cores without DSP); A is
 * a temporary. */
#define PC_VAL(V, T1, U, A, W1, B1, W2, B2, S, OR)                                                 \
    PC_SUB " " A ", " V ", " T1 "\n"                                                               \
    "lsr " A ", " A ", #31\n"                                                                      \
    "orr " W1 ", " W1 ", " A ", lsl #" B1 "\n" PC_SUB " " V ", " V ", " U "\n"                     \
    "add " V ", " V ", " A ", lsl #17\n"                                                           \
    "lsr " A ", " V ", #31\n"                                                                      \
    "orr " W2 ", " W2 ", " A ", lsl #" B2 "\n"                                                     \
    "eor " V ", " V ", " V ", asr #31\n" PC_ADD " " S ", " S ", " V "\n" OR

/* Row \i (the .irp index) of two columns: values from XADDR into VA, VB, the row's thresholds into
 * T1, U, then PC_VAL into W1A / W2A (plane 2 at bit B2) / SA and W1B / W2B / SB */
#define PC_ROW(XADDR, VA, VB, T1, U, A, W1A, W2A, B2, SA, W1B, W2B, SB, ORA, ORB)                    \
    "ldrd " VA ", " VB ", " XADDR "\n"                                                              \
    "ldrd " T1 ", " U ", [r1, #(\\i * 8)]\n" PC_VAL(VA, T1, U, A, W1A, "\\i", W2A, B2, SA, ORA)          \
        PC_VAL(VB, T1, U, A, W1B, "\\i", W2B, B2, SB, ORB)

/* PC_VAL for the first row: the plane-1 bit is written to W1 (bit 0), PLANE2 writes the plane-2 bit
 * from V, the sum starts in S */
#define PC_VAL0(V, T1, U, A, W1, S, PLANE2)                                                        \
    PC_SUB " " A ", " V ", " T1 "\n"                                                               \
    "lsr " W1 ", " A ", #31\n" PC_SUB " " V ", " V ", " U "\n"                                     \
    "add " V ", " V ", " W1 ", lsl #17\n" PLANE2 "eor " S ", " V ", " V ", asr #31\n"

/* Two adjacent columns, 32 rows 32 bytes apart (8 columns): r0 = values of row 0, r1 = its
 * threshold pair; res = {w1, w2, s} of the first column, then of the second, then (without DSP)
 * the OR. Registers: w1a r2, w2a r3, sa r4, w1b r5, w2b r6, sb r7, OR r8, values r9 r10,
 * thresholds r11 r12, temporary lr. Row 0 writes the accumulators instead of ORing into them. */
#define PC_PAIR8_ROW0                                                                              \
    "ldrd r9, r10, [r0]\n"                                                                         \
    "ldrd r11, r12, [r1]\n" PC_VAL0("r9", "r11", "r12", "lr", "r2", "r4", "lsr r3, r9, #31\n")     \
        PC_VAL0("r10", "r11", "r12", "lr", "r5", "r7", "lsr r6, r10, #31\n") PC_OUT0_8
#define PC_PAIR8_ROWS                                                                              \
    ".irp i, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n" \
    PC_ROW("[r0, #(\\i * 32)]", "r9", "r10", "r11", "r12", "lr", "r2", "r3", "\\i", "r4", "r5", "r6", "r7",     \
           PC_OR8("r9"), PC_OR8("r10")) ".endr\n"

__attribute__((naked, noinline)) static void pc_pair8(PC_ARG const int32_t *x, PC_ARG const int32_t *thr,
                                                      PC_ARG uint32_t *res)
{
    __asm__("push {r2, r4-r11, lr}\n" PC_PAIR8_ROW0 PC_PAIR8_ROWS "ldr lr, [sp]\n" PC_STM8 "pop {r2, r4-r11, pc}\n");
}

/* Two adjacent columns, 16 rows `strideb` bytes apart: plane 1 in bits 0..15 and plane 2 in bits
 * 16..31 of one word per column; res = {w, s} of the first column, then of the second, then
 * (without DSP) the OR. Registers: wa r3, sa r4, wb r5, sb r6, OR r7, values r8 r9, thresholds
 * r10 r11, temporary r12. */
#define PC_PAIR16_ROW0                                                                             \
    "ldrd r8, r9, [r0]\n"                                                                          \
    "ldrd r10, r11, [r1]\n" PC_VAL0("r8", "r10", "r11", "r12", "r3", "r4",                         \
                                    "lsr r12, r8, #31\norr r3, r3, r12, lsl #16\n")                \
        PC_VAL0("r9", "r10", "r11", "r12", "r5", "r6", "lsr r12, r9, #31\norr r5, r5, r12, lsl #16\n") PC_OUT0_16
#define PC_PAIR16_ROWS                                                                             \
    ".irp i, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"                                                \
    "add r0, r0, r2\n" PC_ROW("[r0]", "r8", "r9", "r10", "r11", "r12", "r3", "r3", "(16 + \\i)", "r4", "r5", \
                              "r5", "r6", PC_OR16("r8"), PC_OR16("r9")) ".endr\n"

__attribute__((naked, noinline)) static void pc_pair16(PC_ARG const int32_t *x, PC_ARG const int32_t *thr,
                                                       PC_ARG uint32_t strideb, PC_ARG uint32_t *res)
{
    __asm__("push {r3, r4-r11, lr}\n" PC_PAIR16_ROW0 PC_PAIR16_ROWS "ldr lr, [sp]\n" PC_STM16
            "pop {r3, r4-r11, pc}\n");
}

static inline uint32_t pc_pop32(uint32_t x)
{
    x -= (x >> 1) & 0x55555555u;
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    x += x >> 8;
    return (x + (x >> 16)) & 0x3fu;
}

/* thresholds of rows c0 .. c0 + n - 1 into SCR.thr, in fours: rows after the last four are only in
 * words of other lengths than 16 and 32 (the 64-bit formula); returns 1 when one is out of range */
static uint32_t pc_block_prepare(const int32_t *t1, const int32_t *t2, int c0, int n)
{
    return n >= 4 ? pc_prepare(t1 + c0, t2 + c0, SCR.thr, n >> 2) : 0u;
}

/* one column's word from the kernels' w1, w2, s: the word's |r| sum; the 64-bit formula when the
 * word failed its test (ok == 0) */
static inline uint64_t pc_word_done(int ok, uint32_t w1, uint32_t w2, uint32_t s, const int32_t *x, int n_cols,
                                    int t, int c0, int end, const int32_t *t1, const int32_t *t2, uint32_t *b1,
                                    uint32_t *b2)
{
    if (ok) {
        *b1 = w1;
        *b2 = w2;
        return (uint64_t)s + pc_pop32(w2);
    }
    return (uint64_t)word_exact(x, n_cols, t, c0, end, t1, t2, b1, b2);
}
#endif

void bnn_dsa_pack_cols_fast_s32(const int32_t *x, int n_rows, int n_cols, const int32_t *t1, const int32_t *t2,
                                uint32_t *bits1, uint32_t *bits2, int64_t *sums)
{
    const int words = (n_rows + 31) / 32;
#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
    for (int b0 = 0; b0 < n_rows; b0 += PC_BLOCK) {
        const int bend = b0 + PC_BLOCK < n_rows ? b0 + PC_BLOCK : n_rows;
        if (pc_block_prepare(t1, t2, b0, bend - b0)) {
            bnn_dsa_pack_cols_s32(x, n_rows, n_cols, t1, t2, bits1, bits2, sums);
            return;
        }
        for (int t = 0; t + 1 < n_cols; t += 2) {
            uint64_t tot_a = 0u, tot_b = 0u;
            for (int c0 = b0; c0 < bend; c0 += 32) {
                const int j = c0 >> 5, end = c0 + 32 < n_rows ? c0 + 32 : n_rows;
                const int32_t *xp = x + c0 * n_cols + t, *tp = SCR.thr + 2 * (c0 - b0);
                uint32_t *pa1 = bits1 + t * words + j, *pa2 = bits2 + t * words + j;
                uint32_t *pb1 = pa1 + words, *pb2 = pa2 + words;
                uint32_t wa1, wa2, wb1, wb2, sa, sb;
                int oka, okb;
                if (end - c0 == 32 && n_cols == 8) {
                    uint32_t r[7];
                    pc_pair8(xp, tp, r);
                    wa1 = r[0];
                    wa2 = r[1];
                    sa = r[2];
                    wb1 = r[3];
                    wb2 = r[4];
                    sb = r[5];
                    oka = PC_OK(sa, r[6]);
                    okb = PC_OK(sb, r[6]);
                } else if (end - c0 == 32) { /* two halves of 16 rows, each with its own test */
                    uint32_t lo[5], hi[5];
                    pc_pair16(xp, tp, 4u * (uint32_t)n_cols, lo);
                    pc_pair16(xp + 16 * n_cols, tp + 32, 4u * (uint32_t)n_cols, hi);
                    wa1 = (lo[0] & 0xffffu) | (hi[0] << 16);
                    wa2 = (lo[0] >> 16) | (hi[0] & 0xffff0000u);
                    wb1 = (lo[2] & 0xffffu) | (hi[2] << 16);
                    wb2 = (lo[2] >> 16) | (hi[2] & 0xffff0000u);
                    sa = lo[1] + hi[1];
                    sb = lo[3] + hi[3];
                    oka = PC_OK(lo[1], lo[4]) && PC_OK(hi[1], hi[4]);
                    okb = PC_OK(lo[3], lo[4]) && PC_OK(hi[3], hi[4]);
                } else if (end - c0 == 16) {
                    uint32_t r[5];
                    pc_pair16(xp, tp, 4u * (uint32_t)n_cols, r);
                    wa1 = r[0] & 0xffffu;
                    wa2 = r[0] >> 16;
                    sa = r[1];
                    wb1 = r[2] & 0xffffu;
                    wb2 = r[2] >> 16;
                    sb = r[3];
                    oka = PC_OK(sa, r[4]);
                    okb = PC_OK(sb, r[4]);
                } else {
                    tot_a += (uint64_t)word_exact(x, n_cols, t, c0, end, t1, t2, pa1, pa2);
                    tot_b += (uint64_t)word_exact(x, n_cols, t + 1, c0, end, t1, t2, pb1, pb2);
                    continue;
                }
                tot_a += pc_word_done(oka, wa1, wa2, sa, x, n_cols, t, c0, end, t1, t2, pa1, pa2);
                tot_b += pc_word_done(okb, wb1, wb2, sb, x, n_cols, t + 1, c0, end, t1, t2, pb1, pb2);
            }
            sums[t] = (b0 ? sums[t] : 0) + (int64_t)tot_a;
            sums[t + 1] = (b0 ? sums[t + 1] : 0) + (int64_t)tot_b;
        }
        if (n_cols & 1) { /* the last column alone */
            const int t = n_cols - 1;
            sums[t] = b0 ? sums[t] : 0;
            for (int c0 = b0; c0 < bend; c0 += 32) {
                const int end = c0 + 32 < n_rows ? c0 + 32 : n_rows;
                sums[t] += word_exact(x, n_cols, t, c0, end, t1, t2, bits1 + t * words + (c0 >> 5),
                                      bits2 + t * words + (c0 >> 5));
            }
        }
    }
#else
    for (int t = 0; t < n_cols; ++t) {
        int64_t total = 0;
        for (int c0 = 0; c0 < n_rows; c0 += 32) {
            const int end = c0 + 32 < n_rows ? c0 + 32 : n_rows;
            total += word_exact(x, n_cols, t, c0, end, t1, t2, bits1 + t * words + (c0 >> 5),
                                bits2 + t * words + (c0 >> 5));
        }
        sums[t] = total;
    }
#endif
}
