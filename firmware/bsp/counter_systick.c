/* SysTick as a free-running 32-bit counter at the processor clock (24-bit hardware, wraps
 * counted in the interrupt). M0/M0+ boards use it for cycles; under QEMU with
 * `-icount shift=N,sleep=off` it counts instructions x 2^N ns x f_clock, deterministically. */
#ifdef BIFSMN_COUNTER_SYSTICK
#include "bsp.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0x00FFFFFFu

static volatile uint32_t s_wraps;

void SysTick_Handler(void);
void SysTick_Handler(void) { s_wraps++; }

__attribute__((weak)) void bsp_counter_init(void)
{
    SYST_CSR = 0u;
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0u;
    SYST_CSR = 0x7u; /* processor clock, interrupt, enable */
}

__attribute__((weak)) uint32_t bsp_counter_now(void)
{
    uint32_t w, v;
    do {
        w = s_wraps;
        v = SYST_CVR;
        /* a wrap between the two reads shows as COUNTFLAG/interrupt: re-read until stable */
    } while (w != s_wraps);
    return (w << 24) + (SYST_RELOAD - v);
}
#endif /* BIFSMN_COUNTER_SYSTICK */
