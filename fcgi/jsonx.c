/* Strict JSON parsing and field helpers: see jsonx.h. */
#include "jsonx.h"
#include "arena.h"

#include <string.h>

static void release_json(void *p)
{
    json_decref(p);
}

int jsonx_depth(const char *buf, size_t len)
{
    int depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[') {
            if (++depth > max)
                max = depth;
        } else if (c == '}' || c == ']')
            depth--;
    }
    return max;
}

/* What jansson found wrong, in Vietnamese, by its error code. */
static const char *error_vi(const json_error_t *e)
{
    switch (json_error_code(e)) {
    case json_error_invalid_utf8: return "văn bản không phải UTF-8 hợp lệ";
    case json_error_premature_end_of_input: return "nội dung kết thúc giữa chừng";
    case json_error_end_of_input_expected: return "còn nội dung thừa sau giá trị JSON";
    case json_error_null_character: return "có ký tự \\u0000";
    case json_error_null_byte_in_key: return "tên trường chứa ký tự \\u0000";
    case json_error_duplicate_key: return "một trường xuất hiện hai lần";
    case json_error_numeric_overflow: return "số quá lớn";
    case json_error_stack_overflow: return "lồng nhau quá sâu";
    default: return "sai cú pháp";
    }
}

json_t *jsonx_parse_strict_lang(struct arena *a, const char *buf, size_t len, bool english, const char **err)
{
    if (len == 0) {
        *err = english ? "the request body is empty; a JSON object is expected"
                       : "thân yêu cầu trống; cần một đối tượng JSON";
        return NULL;
    }
    if (jsonx_depth(buf, len) > JSONX_MAX_DEPTH) {
        *err = english ? arena_sprintf(a, "JSON nesting deeper than %d levels", JSONX_MAX_DEPTH)
                       : arena_sprintf(a, "JSON lồng nhau sâu quá %d mức", JSONX_MAX_DEPTH);
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        *err = english ? arena_sprintf(a, "malformed JSON at line %d, column %d: %s", e.line, e.column, e.text)
                       : arena_sprintf(a, "JSON không hợp lệ ở dòng %d, cột %d: %s", e.line, e.column, error_vi(&e));
        return NULL;
    }
    arena_defer(a, release_json, j);
    return j;
}

json_t *jsonx_parse_strict(struct arena *a, const char *buf, size_t len, const char **err)
{
    return jsonx_parse_strict_lang(a, buf, len, true, err);
}

const char *jsonx_unknown_key(json_t *obj, const char *const allowed[])
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0) {
                ok = true;
                break;
            }
        if (!ok)
            return key;
    }
    return NULL;
}

long jsonx_utf8_length(const char *s)
{
    long n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int extra;
        if (*p < 0x80)
            extra = 0;
        else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
            extra = 1;
        else if ((*p & 0xF0) == 0xE0)
            extra = 2;
        else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
            extra = 3;
        else
            return -1;
        p++;
        for (int i = 0; i < extra; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return -1;
        n++;
    }
    return n;
}

bool jsonx_get_str(struct arena *a, json_t *obj, const char *key, bool required,
                  size_t min, size_t max, const char **out, const char **err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) {
            *err = arena_sprintf(a, "'%s' is required", key);
            return false;
        }
        return true;
    }
    if (!json_is_string(v)) {
        *err = arena_sprintf(a, "'%s' must be a string", key);
        return false;
    }
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v)) {
        *err = arena_sprintf(a, "'%s' must not contain NUL characters", key);
        return false;
    }
    long n = jsonx_utf8_length(s);
    if (n < 0 || (size_t)n < min || (size_t)n > max) {
        *err = arena_sprintf(a, "'%s' must be %zu to %zu characters long", key, min, max);
        return false;
    }
    *out = s;
    return true;
}

static int text_cb(const char *buf, size_t size, void *data)
{
    return sbuf_try_add(data, buf, size) ? 0 : -1;
}

const char *jsonx_text(struct arena *a, json_t *j)
{
    struct sbuf b;
    sbuf_init(&b, a, 256);
    if (json_dump_callback(j, text_cb, &b, JSON_COMPACT) != 0 && a->refused)
        arena_limit_passed(a);     /* once jansson has unwound */
    return b.s;
}
