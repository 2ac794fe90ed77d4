/* CMSDK APB UART (QEMU mps2-an385/386/500/505, mps3-an547). Polling, no interrupts.
 * Read timeouts use the SysTick counter (counter_systick.c), which QEMU -icount makes
 * deterministic. */
#ifdef BIFSMN_BSP_CMSDK
#include "bsp.h"

#ifndef BIFSMN_UART_BASE
#define BIFSMN_UART_BASE 0x40004000u
#endif

#define UART_DATA (*(volatile uint32_t *)(BIFSMN_UART_BASE + 0x00u))
#define UART_STATE (*(volatile uint32_t *)(BIFSMN_UART_BASE + 0x04u))
#define UART_CTRL (*(volatile uint32_t *)(BIFSMN_UART_BASE + 0x08u))
#define UART_BAUDDIV (*(volatile uint32_t *)(BIFSMN_UART_BASE + 0x10u))
#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u

__attribute__((weak)) void bsp_init(void)
{
    UART_BAUDDIV = 16u; /* the QEMU model needs >= 16; the rate itself is not emulated */
    UART_CTRL = 0x3u;   /* TX and RX enable */
}

__attribute__((weak)) int bsp_read_byte(uint8_t *out, uint32_t timeout_ms)
{
    uint32_t start = bsp_counter_now();
    uint32_t limit = (bsp_clock_hz() / 1000u) * timeout_ms;
    for (;;) {
        if (UART_STATE & STATE_RX_FULL) {
            *out = (uint8_t)(UART_DATA & 0xFFu);
            return 1;
        }
        if ((uint32_t)(bsp_counter_now() - start) > limit) {
            return 0;
        }
    }
}

__attribute__((weak)) void bsp_write(const uint8_t *data, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        while (UART_STATE & STATE_TX_FULL) {
        }
        UART_DATA = data[i];
    }
}

__attribute__((weak)) void bsp_flush(void) {}
#endif /* BIFSMN_BSP_CMSDK */
