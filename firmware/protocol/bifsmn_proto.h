/* bifsmn-mcu serial protocol: framing, CRC and message layout shared by device and host.
 *
 * Frame (all integers little-endian):
 *   0xB1 0xF5 | version u8 | type u8 | seq u8 | len u16 | payload[len] | crc16 u16
 * crc16 = CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection; Python:
 * binascii.crc_hqx(data, 0xFFFF)) over version..payload.
 * The Python twin is bifsmn_mcu/protocol/; both must change together.
 */
#ifndef BIFSMN_PROTO_H
#define BIFSMN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define BIFSMN_PROTO_SYNC0 0xB1u
#define BIFSMN_PROTO_SYNC1 0xF5u
#define BIFSMN_PROTO_VERSION 1u
#define BIFSMN_PROTO_HEADER_SIZE 7u /* sync0 sync1 version type seq len_lo len_hi */
#define BIFSMN_PROTO_CRC_SIZE 2u

#ifndef BIFSMN_PROTO_MAX_PAYLOAD
#define BIFSMN_PROTO_MAX_PAYLOAD 2048u
#endif

/* message types: requests < 0x80, replies >= 0x80 */
#define BIFSMN_MSG_INFO_REQ 0x01u
#define BIFSMN_MSG_INFER_FEATURES 0x02u /* payload: int16 features, mel-major */
#define BIFSMN_MSG_INFER_PCM 0x03u      /* payload: flags u8 | pad u8 | int16 samples */
#define BIFSMN_MSG_SET_WIDTH 0x04u      /* payload: a thin path's name ("1/4"), ASCII; reply INFO */
#define BIFSMN_MSG_INFO 0x81u           /* payload: JSON text */
#define BIFSMN_MSG_RESULT 0x82u         /* label u16 | n u16 | cycles_fe u32 | cycles_nn u32 | logits i32[n] */
#define BIFSMN_MSG_PCM_ACK 0x83u        /* samples_so_far u32 | frames_done u16 */
#define BIFSMN_MSG_ERROR 0xEEu          /* code u8 | detail u8 | text */

#define BIFSMN_PCM_FIRST 0x01u
#define BIFSMN_PCM_LAST 0x02u

/* error codes (Python: bifsmn_mcu.protocol.messages.ErrorCode) */
#define BIFSMN_ERR_BAD_CRC 1u
#define BIFSMN_ERR_TRUNCATED 2u
#define BIFSMN_ERR_OVERSIZED 3u
#define BIFSMN_ERR_UNKNOWN_TYPE 4u
#define BIFSMN_ERR_BAD_SIZE 5u
#define BIFSMN_ERR_BAD_VERSION 6u
#define BIFSMN_ERR_GARBAGE 7u
#define BIFSMN_ERR_BAD_STATE 8u
#define BIFSMN_ERR_BAD_WIDTH 9u /* SET_WIDTH names a path this firmware does not hold */

uint16_t bifsmn_crc16(uint16_t crc, const uint8_t *data, size_t n);

/* Incremental frame parser: feed bytes one by one; report idle time with bifsmn_parser_idle. */
typedef enum {
    BIFSMN_PARSE_NONE = 0, /* need more bytes */
    BIFSMN_PARSE_FRAME,    /* a valid frame is in type/seq/len/payload */
    BIFSMN_PARSE_ERROR     /* error: code in err_code; the parser has resynchronised */
} bifsmn_parse_result;

typedef struct {
    uint32_t discarded; /* garbage bytes skipped while hunting for the sync bytes */
    uint16_t len;
    uint16_t pos;
    uint16_t crc;
    uint16_t crc_rx;
    uint8_t state;
    uint8_t version;
    uint8_t type;
    uint8_t seq;
    uint8_t err_code;
    uint8_t err_detail;
    uint8_t reserved[2];
    uint8_t payload[BIFSMN_PROTO_MAX_PAYLOAD]; /* offset 20: 4-byte aligned for int16/int32 views */
} bifsmn_parser;

void bifsmn_parser_reset(bifsmn_parser *p);
bifsmn_parse_result bifsmn_parser_feed(bifsmn_parser *p, uint8_t byte);
/* The line went quiet: a partial frame is TRUNCATED, skipped garbage is GARBAGE. */
bifsmn_parse_result bifsmn_parser_idle(bifsmn_parser *p);

/* Writes the 7-byte header of a frame; returns the CRC state to continue over the payload. */
uint16_t bifsmn_frame_header(uint8_t out[BIFSMN_PROTO_HEADER_SIZE], uint8_t type, uint8_t seq, uint16_t len);

/* little-endian helpers */
void bifsmn_put_u16(uint8_t *p, uint16_t v);
void bifsmn_put_u32(uint8_t *p, uint32_t v);
uint16_t bifsmn_get_u16(const uint8_t *p);

#endif /* BIFSMN_PROTO_H */
