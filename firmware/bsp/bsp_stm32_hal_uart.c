/* STM32Cube boards (Nucleo-L4R5ZI, Nucleo-F446RE, STM32F746G Discovery): the protocol over
 * the ST-LINK virtual COM port with the HAL UART driver, polling. BIFSMN_STM32_UART names
 * the instance (LPUART1, USART2, USART1); clocks and pins come from the board's weak
 * HAL_UART_MspInit, which a CubeMX project provides. */
#ifdef BIFSMN_BSP_STM32HAL
#if defined(STM32L4xx) || defined(STM32L4R5xx)
#include "stm32l4xx_hal.h"
#elif defined(STM32F4xx) || defined(STM32F446xx)
#include "stm32f4xx_hal.h"
#elif defined(STM32F7xx) || defined(STM32F746xx)
#include "stm32f7xx_hal.h"
#else
#error "BIFSMN_BSP_STM32HAL: unsupported STM32 family"
#endif
#include "bsp.h"

#ifndef BIFSMN_STM32_UART
#define BIFSMN_STM32_UART USART2
#endif

static UART_HandleTypeDef s_uart;

void SysTick_Handler(void);
void SysTick_Handler(void) { HAL_IncTick(); }

__attribute__((weak)) void bsp_init(void)
{
    HAL_Init();
    s_uart.Instance = BIFSMN_STM32_UART;
    s_uart.Init.BaudRate = 115200;
    s_uart.Init.WordLength = UART_WORDLENGTH_8B;
    s_uart.Init.StopBits = UART_STOPBITS_1;
    s_uart.Init.Parity = UART_PARITY_NONE;
    s_uart.Init.Mode = UART_MODE_TX_RX;
    s_uart.Init.HwFlowCtl = UART_HWCONTROL_NONE;
    s_uart.Init.OverSampling = UART_OVERSAMPLING_16;
    (void)HAL_UART_Init(&s_uart);
}

__attribute__((weak)) int bsp_read_byte(uint8_t *out, uint32_t timeout_ms)
{
    return HAL_UART_Receive(&s_uart, out, 1, timeout_ms) == HAL_OK;
}

__attribute__((weak)) void bsp_write(const uint8_t *data, size_t n)
{
    (void)HAL_UART_Transmit(&s_uart, (uint8_t *)(uintptr_t)data, (uint16_t)n, HAL_MAX_DELAY);
}

__attribute__((weak)) void bsp_flush(void) {}

__attribute__((weak)) uint32_t bsp_clock_hz(void) { return SystemCoreClock; }

/* ST-LINK virtual COM port pins of the three supported boards (UM1724, UM2179, UM1907). The
 * core runs at its reset clock (HSI / MSI) unless the user's SystemClock_Config raises it;
 * INFO reports SystemCoreClock either way. */
__attribute__((weak)) void HAL_UART_MspInit(UART_HandleTypeDef *huart)
{
    GPIO_InitTypeDef gpio = {0};
    (void)huart;
    gpio.Mode = GPIO_MODE_AF_PP;
    gpio.Pull = GPIO_PULLUP;
    gpio.Speed = GPIO_SPEED_FREQ_VERY_HIGH;
#if defined(STM32L4xx) || defined(STM32L4R5xx)
    /* Nucleo-L4R5ZI: LPUART1 on PG7 (TX) / PG8 (RX), AF8; port G needs VddIO2 */
    __HAL_RCC_PWR_CLK_ENABLE();
    HAL_PWREx_EnableVddIO2();
    __HAL_RCC_LPUART1_CLK_ENABLE();
    __HAL_RCC_GPIOG_CLK_ENABLE();
    gpio.Pin = GPIO_PIN_7 | GPIO_PIN_8;
    gpio.Alternate = GPIO_AF8_LPUART1;
    HAL_GPIO_Init(GPIOG, &gpio);
#elif defined(STM32F4xx) || defined(STM32F446xx)
    /* Nucleo-F446RE: USART2 on PA2 (TX) / PA3 (RX), AF7 */
    __HAL_RCC_USART2_CLK_ENABLE();
    __HAL_RCC_GPIOA_CLK_ENABLE();
    gpio.Pin = GPIO_PIN_2 | GPIO_PIN_3;
    gpio.Alternate = GPIO_AF7_USART2;
    HAL_GPIO_Init(GPIOA, &gpio);
#else
    /* STM32F746G-DISCO: USART1 on PA9 (TX) / PB7 (RX), AF7 */
    __HAL_RCC_USART1_CLK_ENABLE();
    __HAL_RCC_GPIOA_CLK_ENABLE();
    __HAL_RCC_GPIOB_CLK_ENABLE();
    gpio.Alternate = GPIO_AF7_USART1;
    gpio.Pin = GPIO_PIN_9;
    HAL_GPIO_Init(GPIOA, &gpio);
    gpio.Pin = GPIO_PIN_7;
    HAL_GPIO_Init(GPIOB, &gpio);
#endif
}
#endif /* BIFSMN_BSP_STM32HAL */
