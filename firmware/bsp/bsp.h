/* Board-support seams used by the app. Every implementation is a weak symbol, so a user's board
 * file can replace any of them. Exactly one transport implementation is compiled in, chosen by
 * build flag: BIFSMN_BSP_CMSDK (QEMU MPS2/MPS3 UART), BIFSMN_BSP_HOST (stdin/stdout),
 * BIFSMN_BSP_ARDUINO (Serial), BIFSMN_BSP_STM32HAL (HAL UART). Counter: BIFSMN_COUNTER_DWT,
 * BIFSMN_COUNTER_SYSTICK (also used for QEMU -icount), or the host clock. */
#ifndef BIFSMN_BSP_H
#define BIFSMN_BSP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BIFSMN_XSTR_(x) #x
#define BIFSMN_XSTR(x) BIFSMN_XSTR_(x)

void bsp_init(void);
/* Wait up to timeout_ms for one byte: 1 = got it, 0 = the line stayed quiet. */
int bsp_read_byte(uint8_t *out, uint32_t timeout_ms);
void bsp_write(const uint8_t *data, size_t n);
void bsp_flush(void);

void bsp_counter_init(void);
uint32_t bsp_counter_now(void); /* free-running; differences are cycles (or instructions / ns) */
const char *bsp_counter_kind(void);
uint32_t bsp_clock_hz(void);
const char *bsp_core(void);
const char *bsp_board(void);

#ifdef __cplusplus
}
#endif

#endif /* BIFSMN_BSP_H */
