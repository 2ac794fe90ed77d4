/* Byte-at-a-time frame parser with resynchronisation; never blocks, never overruns. */
#include "bifsmn_proto.h"

enum { S_SYNC0, S_SYNC1, S_HEADER, S_PAYLOAD, S_CRC };

void bifsmn_parser_reset(bifsmn_parser *p)
{
    p->state = S_SYNC0;
    p->pos = 0;
    p->len = 0;
    p->discarded = 0;
    p->err_code = 0;
    p->err_detail = 0;
}

static bifsmn_parse_result fail(bifsmn_parser *p, uint8_t code, uint8_t detail)
{
    p->state = S_SYNC0;
    p->pos = 0;
    p->err_code = code;
    p->err_detail = detail;
    return BIFSMN_PARSE_ERROR;
}

bifsmn_parse_result bifsmn_parser_feed(bifsmn_parser *p, uint8_t byte)
{
    uint8_t one = byte;
    switch (p->state) {
    case S_SYNC0:
        if (byte == BIFSMN_PROTO_SYNC0) {
            p->state = S_SYNC1;
        } else {
            p->discarded++;
        }
        return BIFSMN_PARSE_NONE;
    case S_SYNC1:
        if (byte == BIFSMN_PROTO_SYNC1) {
            p->state = S_HEADER;
            p->pos = 0;
            p->crc = 0xFFFFu;
            if (p->discarded) {
                /* garbage before a frame: report it, the frame that follows still parses */
                uint32_t n = p->discarded;
                p->discarded = 0;
                p->err_code = BIFSMN_ERR_GARBAGE;
                p->err_detail = (uint8_t)(n > 255u ? 255u : n);
                return BIFSMN_PARSE_ERROR;
            }
        } else if (byte != BIFSMN_PROTO_SYNC0) {
            p->state = S_SYNC0;
            p->discarded += 2;
        } else {
            p->discarded++;
        }
        return BIFSMN_PARSE_NONE;
    case S_HEADER:
        p->crc = bifsmn_crc16(p->crc, &one, 1);
        if (p->pos == 0) {
            p->version = byte;
        } else if (p->pos == 1) {
            p->type = byte;
        } else if (p->pos == 2) {
            p->seq = byte;
        } else if (p->pos == 3) {
            p->len = byte;
        } else {
            p->len = (uint16_t)(p->len | ((uint16_t)byte << 8));
            if (p->version != BIFSMN_PROTO_VERSION) {
                return fail(p, BIFSMN_ERR_BAD_VERSION, p->version);
            }
            if (p->len > BIFSMN_PROTO_MAX_PAYLOAD) {
                return fail(p, BIFSMN_ERR_OVERSIZED, p->type);
            }
            p->pos = 0;
            p->state = p->len ? S_PAYLOAD : S_CRC;
            return BIFSMN_PARSE_NONE;
        }
        p->pos++;
        return BIFSMN_PARSE_NONE;
    case S_PAYLOAD:
        p->payload[p->pos++] = byte;
        if (p->pos == p->len) {
            p->crc = bifsmn_crc16(p->crc, p->payload, p->len);
            p->pos = 0;
            p->state = S_CRC;
        }
        return BIFSMN_PARSE_NONE;
    case S_CRC:
    default:
        if (p->pos == 0) {
            p->crc_rx = byte;
            p->pos = 1;
            return BIFSMN_PARSE_NONE;
        }
        p->crc_rx = (uint16_t)(p->crc_rx | ((uint16_t)byte << 8));
        p->state = S_SYNC0;
        p->pos = 0;
        if (p->crc_rx != p->crc) {
            return fail(p, BIFSMN_ERR_BAD_CRC, p->type);
        }
        return BIFSMN_PARSE_FRAME;
    }
}

bifsmn_parse_result bifsmn_parser_idle(bifsmn_parser *p)
{
    if (p->state != S_SYNC0 && p->state != S_SYNC1) {
        return fail(p, BIFSMN_ERR_TRUNCATED, p->type);
    }
    if (p->state == S_SYNC1) {
        p->discarded++;
        p->state = S_SYNC0;
    }
    if (p->discarded) {
        uint32_t n = p->discarded;
        p->discarded = 0;
        return fail(p, BIFSMN_ERR_GARBAGE, (uint8_t)(n > 255u ? 255u : n));
    }
    return BIFSMN_PARSE_NONE;
}
