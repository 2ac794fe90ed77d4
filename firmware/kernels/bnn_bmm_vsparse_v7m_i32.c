/* bnn_bmm_vsparse_v7m_i32 - the vertical sparse carry-save binary matrix kernel with its counting
 * loop in Thumb-2 assembly (ARMv7-M / ARMv8-M Mainline: Cortex-M3, M4, M7, M33).
 *
 * Same algorithm and result as bnn_bmm_vsparse_i32 (see there): per activation vector, a list of
 * the weight rows to sum (the rows where the activation has its minority bit), then for each
 * group of 32 outputs a Harley-Seal pass over the list: 16 rows per iteration, 15 carry-save
 * adders (5 logic ops each) into the ones/twos/fours/eights planes, the sixteens word pushed on
 * the stack and rippled into four more planes after the loop; all 14 registers in use, no spill.
 * The 8 planes become byte lanes by an 8x8 bit transpose (3 exchange stages, 48 ops), then d.
 */
#include "bnn_kernels_select.h"

#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')

/* Four list rows: load their column words, add them into the ones plane (r4) with two carry-save
 * adders, add the two carries into the twos plane (r5); the fours carry lands in DST. */
#define BNN_VS_ROWS4(DST) \
    "    ldmia r8!, {r0-r3}\n" \
    "    ldr r0, [r0, r9]\n" \
    "    ldr r1, [r1, r9]\n" \
    "    ldr r2, [r2, r9]\n" \
    "    ldr r3, [r3, r9]\n" \
    "    eor r12, r4, r0\n" \
    "    and r0, r4, r0\n" \
    "    eor r4, r12, r1\n" \
    "    and r12, r12, r1\n" \
    "    orr r0, r0, r12\n" \
    "    eor r12, r4, r2\n" \
    "    and r2, r4, r2\n" \
    "    eor r4, r12, r3\n" \
    "    and r12, r12, r3\n" \
    "    orr r2, r2, r12\n" \
    "    eor r12, r5, r0\n" \
    "    and r0, r5, r0\n" \
    "    eor r5, r12, r2\n" \
    "    and r12, r12, r2\n" \
    "    orr " DST ", r0, r12\n"

/* void bnn_vs_count_planes_v7m(const uint32_t *const *list, uint32_t koff, uint32_t out[8], int n)
 * list: n row pointers (n a multiple of 4), then a NULL sentinel; koff: byte offset of the column
 * word in a row; out: the 8 bit planes (ones, twos, ..., 128s) of the 32 column sums.
 * The first (n >> 2) & 3 groups of 4 rows are counted before the 16-row loop: each adds its fours
 * carry into the fours plane with a half adder, whose carry cannot leave the eights plane (at most
 * 12 rows so far), so lists need padding to 4 rows only, not 16. */
__asm__(
    "    .text\n"
    "    .syntax unified\n"
    "    .thumb\n"
    "    .balign 4\n"
    "    .global bnn_vs_count_planes_v7m\n"
    "    .type bnn_vs_count_planes_v7m, %function\n"
    "    .thumb_func\n"
    "bnn_vs_count_planes_v7m:\n"
    "    push {r2-r12, lr}\n"
    "    movs r4, #0\n"
    "    movs r5, #0\n"
    "    movs r6, #0\n"
    "    movs r7, #0\n"
    "    mov r8, r0\n"
    "    mov r9, r1\n"
    "    ubfx r10, r3, #2, #2\n"
    "    cmp r10, #0\n"
    "    beq 2f\n"
    "6:\n"
    /* a 4-row group -> fours carry (r11), half adder into fours (r6) and eights (r7) */
    BNN_VS_ROWS4("r11")
    "    and r12, r6, r11\n"
    "    eor r6, r6, r11\n"
    "    orr r7, r7, r12\n"
    "    subs r10, r10, #1\n"
    "    bne 6b\n"
    "2:\n"
    "    mov r10, sp\n"
    "    ldr r0, [r8]\n"
    "    cmp r0, #0\n"
    "    beq 3f\n"
    "1:\n"
    /* rows 0..3 -> fA (r11) */
    BNN_VS_ROWS4("r11")
    /* rows 4..7 -> fB (r0); fA, fB -> eA (lr) */
    BNN_VS_ROWS4("r0")
    "    eor r12, r6, r11\n"
    "    and r11, r6, r11\n"
    "    eor r6, r12, r0\n"
    "    and r12, r12, r0\n"
    "    orr lr, r11, r12\n"
    /* rows 8..11 -> fA (r11) */
    BNN_VS_ROWS4("r11")
    /* rows 12..15 -> fB (r0); fA, fB -> eB (r11); eA, eB -> sixteens (pushed) */
    BNN_VS_ROWS4("r0")
    "    eor r12, r6, r11\n"
    "    and r11, r6, r11\n"
    "    eor r6, r12, r0\n"
    "    and r12, r12, r0\n"
    "    orr r11, r11, r12\n"
    "    eor r12, r7, lr\n"
    "    and lr, r7, lr\n"
    "    eor r7, r12, r11\n"
    "    and r12, r12, r11\n"
    "    orr lr, lr, r12\n"
    "    str lr, [sp, #-4]!\n"
    "    ldr r0, [r8]\n"
    "    cmp r0, #0\n"
    "    bne 1b\n"
    "3:\n"
    /* ripple the pushed sixteens words into h16..h128 (r0..r3) */
    "    movs r0, #0\n"
    "    movs r1, #0\n"
    "    movs r2, #0\n"
    "    movs r3, #0\n"
    "    b 5f\n"
    "4:\n"
    "    ldr r12, [sp], #4\n"
    "    and lr, r0, r12\n"
    "    eor r0, r0, r12\n"
    "    and r12, r1, lr\n"
    "    eor r1, r1, lr\n"
    "    and lr, r2, r12\n"
    "    eor r2, r2, r12\n"
    "    eor r3, r3, lr\n"
    "5:\n"
    "    cmp sp, r10\n"
    "    bne 4b\n"
    "    ldr r12, [sp, #0]\n"
    "    stmia r12!, {r4-r7}\n"
    "    stmia r12, {r0-r3}\n"
    "    pop {r2-r12, pc}\n"
    "    .size bnn_vs_count_planes_v7m, . - bnn_vs_count_planes_v7m\n");
#endif

#if defined(__thumb2__) && defined(__ARM_ARCH_PROFILE) && (__ARM_ARCH_PROFILE == 'M')
#include "bnn_vsparse_common.h"
#include "bnn_scratch.h"

#define SCR (bnn_scratch.bmm) /* this kernel's scratch (bnn_scratch.h) */

static const uint32_t s_zero[BNN_BMM_MAX_OUT / 32];

void bnn_bmm_vsparse_v7m_i32(const uint32_t *a, size_t a_stride, int n_vec, int n_in,
                             const uint32_t *wt, const int16_t *colsum, int n_out, int32_t *d)
{
    if (bnn_vs_too_big(n_in, n_out)) {
        bnn_vs_slow(a, a_stride, n_vec, n_in, wt, n_out, d);
        return;
    }
    const int out_words = (n_out + 31) >> 5;
    for (int v = 0; v < n_vec; ++v) {
        const bnn_vs_list_t info =
            bnn_vs_build_list(a + (size_t)v * a_stride, n_in, wt, out_words, s_zero, SCR.list);
        int32_t *dv = d + (size_t)v * (size_t)n_out;
        for (int k = 0; k < out_words; ++k) {
            const int lanes = (n_out - 32 * k) < 32 ? (n_out - 32 * k) : 32;
            uint32_t p[8];
            if (info.n <= BNN_VS_SEG) {
                bnn_vs_count_planes_v7m(SCR.list, 4u * (uint32_t)k, p, info.n);
                bnn_vs_planes_to_bytes(p);
                bnn_vs_write_d(p, lanes, colsum + 32 * k, info, dv + 32 * k);
            } else {
                int32_t cnt[32] = {0};
                for (int j = 0; j < info.n; j += BNN_VS_SEG) {
                    const uint32_t *saved = NULL;
                    const int end = j + BNN_VS_SEG;
                    if (end < info.n) {
                        saved = SCR.list[end];
                        SCR.list[end] = NULL;
                    }
                    bnn_vs_count_planes_v7m(SCR.list + j, 4u * (uint32_t)k, p, (end < info.n ? end : info.n) - j);
                    if (end < info.n) {
                        SCR.list[end] = saved;
                    }
                    bnn_vs_planes_to_bytes(p);
                    bnn_vs_add_bytes(p, cnt);
                }
                bnn_vs_write_d_counts(cnt, lanes, colsum + 32 * k, info, dv + 32 * k);
            }
        }
    }
}
#endif
