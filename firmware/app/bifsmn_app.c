/* Protocol dispatch: INFO, INFER_FEATURES, INFER_PCM (chunked, device front end), SET_WIDTH -> RESULT /
 * PCM_ACK / INFO / ERROR. Static memory only; the receive buffer is the only large buffer here. */
#include <string.h>

#include "bifsmn_app.h"
#include "bifsmn_app_config.h" /* rendered by bifsmn_mcu.project: model prefix, INFO text */
#include "bifsmn_proto.h"
#include "bsp.h"

#ifndef BIFSMN_IDLE_MS
#define BIFSMN_IDLE_MS 200u /* a frame that stalls this long is truncated */
#endif

#define FEATURE_BYTES ((size_t)APP_N_MELS * (size_t)APP_N_FRAMES * 2u)

#if APP_N_MELS * APP_N_FRAMES * 2 > BIFSMN_PROTO_MAX_PAYLOAD
#error "BIFSMN_PROTO_MAX_PAYLOAD is smaller than one feature map"
#endif

static bifsmn_parser s_rx;
static uint8_t s_tx[16u + 4u * APP_N_CLASSES];
static int32_t s_logits[APP_N_CLASSES];
static uint32_t s_pcm_samples;   /* samples received for the current PCM utterance */
static uint32_t s_pcm_fe_cycles; /* front-end cycles accumulated over its chunks */
static uint8_t s_pcm_active;

static void send_frame(uint8_t type, uint8_t seq, const uint8_t *payload, size_t len)
{
    uint8_t hdr[BIFSMN_PROTO_HEADER_SIZE];
    uint8_t crc_bytes[2];
    uint16_t crc = bifsmn_frame_header(hdr, type, seq, (uint16_t)len);
    crc = bifsmn_crc16(crc, payload, len);
    bifsmn_put_u16(crc_bytes, crc);
    bsp_write(hdr, sizeof hdr);
    bsp_write(payload, len);
    bsp_write(crc_bytes, 2);
    bsp_flush();
}

static void send_error(uint8_t seq, uint8_t code, uint8_t detail, const char *text)
{
    uint8_t buf[64];
    size_t n = strlen(text);
    if (n > sizeof buf - 2u) {
        n = sizeof buf - 2u;
    }
    buf[0] = code;
    buf[1] = detail;
    memcpy(buf + 2, text, n);
    send_frame(BIFSMN_MSG_ERROR, seq, buf, n + 2u);
}

static void send_result(uint8_t seq, int label, uint32_t fe, uint32_t nn)
{
    size_t i;
    bifsmn_put_u16(s_tx, (uint16_t)label);
    bifsmn_put_u16(s_tx + 2, (uint16_t)APP_N_CLASSES);
    bifsmn_put_u32(s_tx + 4, fe);
    bifsmn_put_u32(s_tx + 8, nn);
    for (i = 0; i < (size_t)APP_N_CLASSES; ++i) {
        bifsmn_put_u32(s_tx + 12 + 4 * i, (uint32_t)s_logits[i]);
    }
    send_frame(BIFSMN_MSG_RESULT, seq, s_tx, 12u + 4u * (size_t)APP_N_CLASSES);
}

static void infer_and_reply(uint8_t seq, const int16_t *features, uint32_t fe_cycles)
{
    uint32_t t0 = bsp_counter_now();
    int label = APP_INFER(features, s_logits);
    uint32_t nn = bsp_counter_now() - t0;
    send_result(seq, label, fe_cycles, nn);
}

static void on_infer_pcm(uint8_t seq, const uint8_t *payload, uint16_t len)
{
    uint8_t flags;
    uint32_t n, t0, frames;
    uint8_t ack[6];
    if (len < 2u || (len & 1u)) {
        send_error(seq, BIFSMN_ERR_BAD_SIZE, BIFSMN_MSG_INFER_PCM, "pcm chunk: odd or empty");
        return;
    }
    flags = payload[0];
    n = (uint32_t)(len - 2u) / 2u;
    if (flags & BIFSMN_PCM_FIRST) {
        APP_FRONTEND_RESET();
        s_pcm_active = 1u;
        s_pcm_samples = 0u;
        s_pcm_fe_cycles = 0u;
    } else if (!s_pcm_active) {
        send_error(seq, BIFSMN_ERR_BAD_STATE, BIFSMN_MSG_INFER_PCM, "pcm chunk without a first chunk");
        return;
    }
    if (s_pcm_samples + n > (uint32_t)APP_CLIP_SAMPLES) {
        s_pcm_active = 0u;
        send_error(seq, BIFSMN_ERR_BAD_SIZE, BIFSMN_MSG_INFER_PCM, "pcm longer than one clip");
        return;
    }
    t0 = bsp_counter_now();
    frames = (uint32_t)APP_FRONTEND_PUSH((const int16_t *)(const void *)(payload + 2), (size_t)n);
    s_pcm_fe_cycles += bsp_counter_now() - t0;
    s_pcm_samples += n;
    if (!(flags & BIFSMN_PCM_LAST)) {
        bifsmn_put_u32(ack, s_pcm_samples);
        bifsmn_put_u16(ack + 4, (uint16_t)frames);
        send_frame(BIFSMN_MSG_PCM_ACK, seq, ack, sizeof ack);
        return;
    }
    s_pcm_active = 0u;
    if (s_pcm_samples != (uint32_t)APP_CLIP_SAMPLES) {
        send_error(seq, BIFSMN_ERR_BAD_SIZE, BIFSMN_MSG_INFER_PCM, "pcm shorter than one clip");
        return;
    }
    infer_and_reply(seq, APP_FEATURES(), s_pcm_fe_cycles);
}

static void send_info(uint8_t seq)
{
    /* the INFO text is built in the receive buffer: the request is done with it */
    size_t n = bifsmn_app_info((char *)s_rx.payload, sizeof s_rx.payload);
    send_frame(BIFSMN_MSG_INFO, seq, s_rx.payload, n);
}

static void on_set_width(uint8_t seq, uint8_t *payload, uint16_t len)
{
    if (len == 0u || len > 7u) {
        send_error(seq, BIFSMN_ERR_BAD_SIZE, BIFSMN_MSG_SET_WIDTH, "width: 1 to 7 characters");
        return;
    }
    payload[len] = 0u; /* len < BIFSMN_PROTO_MAX_PAYLOAD: room for the terminator */
    if (APP_SET_WIDTH((const char *)payload) != 0) {
        send_error(seq, BIFSMN_ERR_BAD_WIDTH, BIFSMN_MSG_SET_WIDTH, "width not in this firmware");
        return;
    }
    send_info(seq);
}

static void on_frame(void)
{
    switch (s_rx.type) {
    case BIFSMN_MSG_INFO_REQ:
        send_info(s_rx.seq);
        break;
    case BIFSMN_MSG_SET_WIDTH:
        on_set_width(s_rx.seq, s_rx.payload, s_rx.len);
        break;
    case BIFSMN_MSG_INFER_FEATURES:
        if (s_rx.len != FEATURE_BYTES) {
            send_error(s_rx.seq, BIFSMN_ERR_BAD_SIZE, BIFSMN_MSG_INFER_FEATURES, "features: wrong size");
            break;
        }
        infer_and_reply(s_rx.seq, (const int16_t *)(const void *)s_rx.payload, 0u);
        break;
    case BIFSMN_MSG_INFER_PCM:
        on_infer_pcm(s_rx.seq, s_rx.payload, s_rx.len);
        break;
    default:
        send_error(s_rx.seq, BIFSMN_ERR_UNKNOWN_TYPE, s_rx.type, "unknown message type");
        break;
    }
}

static void on_error(void)
{
    static const char *const text[] = {
        "", "bad crc", "truncated frame", "oversized frame", "", "", "bad protocol version", "garbage bytes",
    };
    uint8_t code = s_rx.err_code;
    /* frame-level errors carry the parsed sequence number; garbage has none (0xFF) */
    uint8_t seq = (code == BIFSMN_ERR_GARBAGE) ? 0xFFu : s_rx.seq;
    send_error(seq, code, s_rx.err_detail, code < 8u ? text[code] : "error");
}

void bifsmn_app_init(void)
{
    bsp_init();
    bsp_counter_init();
    APP_INIT();
    bifsmn_parser_reset(&s_rx);
    s_pcm_active = 0u;
}

void bifsmn_app_poll(void)
{
    uint8_t byte;
    bifsmn_parse_result r;
    if (bsp_read_byte(&byte, BIFSMN_IDLE_MS)) {
        r = bifsmn_parser_feed(&s_rx, byte);
    } else {
        r = bifsmn_parser_idle(&s_rx);
    }
    if (r == BIFSMN_PARSE_FRAME) {
        on_frame();
    } else if (r == BIFSMN_PARSE_ERROR) {
        on_error();
    }
}
