/* bench_semihost.h - end a bare-metal benchmark under QEMU with an exit code (semihosting
 * SYS_EXIT_EXTENDED; run QEMU with -semihosting-config enable=on,target=native). */
#ifndef BENCH_SEMIHOST_H
#define BENCH_SEMIHOST_H

#include <stdint.h>

static inline void bench_exit(int code)
{
    volatile uint32_t block[2] = {0x20026u, (uint32_t)code}; /* ADP_Stopped_ApplicationExit */
    register uint32_t r0 __asm__("r0") = 0x20u;               /* SYS_EXIT_EXTENDED */
    register volatile uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {
    }
}

#endif /* BENCH_SEMIHOST_H */
