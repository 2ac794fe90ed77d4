/* DWT->CYCCNT: the cycle counter of Cortex-M3/M4/M7/M33/M55 (absent on M0/M0+ and in QEMU). */
#ifdef BIFSMN_COUNTER_DWT
#include "bsp.h"

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_LAR (*(volatile uint32_t *)0xE0001FB0u)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

__attribute__((weak)) void bsp_counter_init(void)
{
    DEMCR |= (1u << 24); /* TRCENA */
    DWT_LAR = 0xC5ACCE55u; /* unlock (Cortex-M7; ignored elsewhere) */
    DWT_CYCCNT = 0u;
    DWT_CTRL |= 1u; /* CYCCNTENA */
}

__attribute__((weak)) uint32_t bsp_counter_now(void) { return DWT_CYCCNT; }
#endif /* BIFSMN_COUNTER_DWT */
