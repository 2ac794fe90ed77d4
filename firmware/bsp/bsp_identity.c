/* Board identity from build flags (-DBIFSMN_BOARD=qemu-m4 -DBIFSMN_CORE=cortex-m4 ...). */
#include "bsp.h"

#ifndef BIFSMN_BOARD
#define BIFSMN_BOARD unknown
#endif
#ifndef BIFSMN_CORE
#define BIFSMN_CORE unknown
#endif
#ifndef BIFSMN_CLOCK_HZ
#define BIFSMN_CLOCK_HZ 0
#endif
#ifndef BIFSMN_COUNTER
#define BIFSMN_COUNTER none
#endif

__attribute__((weak)) const char *bsp_board(void) { return BIFSMN_XSTR(BIFSMN_BOARD); }
__attribute__((weak)) const char *bsp_core(void) { return BIFSMN_XSTR(BIFSMN_CORE); }
#if !defined(BIFSMN_BSP_STM32HAL) && !defined(BIFSMN_BSP_ARDUINO)
/* framework boards report their running clock (SystemCoreClock / F_CPU) from their bsp file */
__attribute__((weak)) uint32_t bsp_clock_hz(void) { return (uint32_t)BIFSMN_CLOCK_HZ; }
#endif
__attribute__((weak)) const char *bsp_counter_kind(void) { return BIFSMN_XSTR(BIFSMN_COUNTER); }
