/* INFO reply: the model's static description (rendered at generate time) plus what only the
 * running firmware knows: board, core, clock, cycle-counter kind, build. JSON text. */
#include <string.h>

#include "bifsmn_app.h"
#include "bifsmn_app_config.h"
#include "bifsmn_proto.h"
#include "bsp.h"

typedef struct {
    char *buf;
    size_t cap;
    size_t n;
} text_out;

static void put(text_out *o, const char *s)
{
    while (*s && o->n + 1u < o->cap) {
        o->buf[o->n++] = *s++;
    }
}

static void put_u32(text_out *o, uint32_t v)
{
    char tmp[11];
    int i = 10;
    tmp[i] = '\0';
    do {
        tmp[--i] = (char)('0' + (v % 10u));
        v /= 10u;
    } while (v && i > 0);
    put(o, tmp + i);
}

static void put_field(text_out *o, const char *key, const char *value)
{
    put(o, ",\"");
    put(o, key);
    put(o, "\":\"");
    put(o, value);
    put(o, "\"");
}

size_t bifsmn_app_info(char *buf, size_t cap)
{
    text_out o;
    o.buf = buf;
    o.cap = cap;
    o.n = 0;
    put(&o, "{\"protocol\":");
    put_u32(&o, BIFSMN_PROTO_VERSION);
    put(&o, ",\"max_payload\":");
    put_u32(&o, BIFSMN_PROTO_MAX_PAYLOAD);
    put(&o, ",\"clock_hz\":");
    put_u32(&o, bsp_clock_hz());
#ifdef BIFSMN_ICOUNT_SHIFT
    put(&o, ",\"icount_shift\":");
    put_u32(&o, (uint32_t)BIFSMN_ICOUNT_SHIFT);
#endif
    put_field(&o, "model_sha256", APP_MODEL_SHA256);
    put_field(&o, "board", bsp_board());
    put_field(&o, "core", bsp_core());
    put_field(&o, "counter", bsp_counter_kind());
    put_field(&o, "build", __DATE__ " " __TIME__ " gcc " __VERSION__);
    put_field(&o, "width", APP_WIDTH()); /* the thin path infer runs now */
    put(&o, ",");
    put(&o, APP_INFO_JSON_FIELDS); /* "widths":[...], "labels":[...], "feature_config":{...}, prefix */
    put(&o, "}");
    return o.n;
}
