/* Body validation: see validate.h. */
#include "validate.h"
#include "cursor.h"
#include "../fcgi/http.h"
#include "../fcgi/jsonx.h"
#include "../sql/problems.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Fields a client may never set: the server owns them. */
static const char *const server_owned[] = {
    "id", "agency_id", "agency", "status", "author_id", "author", "book", "book_id",
    "book_number", "book_year", "version", "created_at", "updated_at", "signed_by",
    "signed_at", "issued_at", "source_id", NULL,
};

static int days_in_month(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

bool valid_date(const char *s)
{
    if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

bool valid_time(const char *s)
{
    size_t n = strlen(s);
    char date[11];
    if (n < 20 || n > 35)
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!valid_date(date))
        return false;
    if ((s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
        s[16] != ':' || !digits(s + 17, 2))
        return false;
    if (atoi(s + 11) > 23 || atoi(s + 14) > 59 || atoi(s + 17) > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return true;
    return (*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
           p[6] == '\0' && atoi(p + 1) <= 14 && atoi(p + 4) <= 59;
}

/* The problems of a body, every one with its JSON pointer (RFC 6901), a
 * stable code and a detail in the request's language; answered at once at
 * the end. The problem type is the first one's. */
struct verrs {
    struct req *r;
    json_t *list;
    int problem;
    const char *detail;
};

static void add(struct verrs *e, int problem, const char *pointer, const char *code, const char *detail)
{
    json_t *one = json_object();
    json_object_set_new(one, "pointer", json_string(pointer));
    json_object_set_new(one, "code", json_string(code));
    json_object_set_new(one, "detail", json_string(detail));
    json_array_append_new(e->list, one);
    if (!e->detail) {
        e->problem = problem;
        e->detail = detail;
    }
}

/* The pointer of a member: "/name", escaped as RFC 6901 says. */
static const char *member(struct req *r, const char *base, const char *name)
{
    struct sbuf b;
    sbuf_init(&b, r->a, strlen(base) + strlen(name) + 4);
    sbuf_puts(&b, base);
    sbuf_putc(&b, '/');
    for (const char *c = name; *c; c++) {
        if (*c == '~')
            sbuf_puts(&b, "~0");
        else if (*c == '/')
            sbuf_puts(&b, "~1");
        else
            sbuf_putc(&b, *c);
    }
    return b.s;
}

#define T(vi, en) SAY(r, vi, en)

static void check_object(struct verrs *e, json_t *obj, const struct field *fields, const char *base);

static void check_field(struct verrs *e, const struct field *f, json_t *v, const char *at)
{
    struct req *r = e->r;
    switch (f->type) {
    case F_STR: {
        long n = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)
                     ? jsonx_utf8_length(json_string_value(v)) : -2;
        if (n == -2)
            add(e, PROBLEM_INVALID_FIELD, at, "type",
                T(arena_sprintf(r->a, "'%s' phải là một chuỗi ký tự", f->name),
                  arena_sprintf(r->a, "'%s' must be a string", f->name)));
        else if ((n < f->min || n > f->max) && f->min == f->max)
            add(e, PROBLEM_INVALID_FIELD, at, "length",
                T(arena_sprintf(r->a, "'%s' dài đúng %ld ký tự", f->name, f->min),
                  arena_sprintf(r->a, "'%s' must be exactly %ld characters long", f->name, f->min)));
        else if (n < f->min || n > f->max)
            add(e, PROBLEM_INVALID_FIELD, at, "length",
                T(arena_sprintf(r->a, "'%s' dài từ %ld đến %ld ký tự", f->name, f->min, f->max),
                  arena_sprintf(r->a, "'%s' must be %ld to %ld characters long", f->name, f->min, f->max)));
        break;
    }
    case F_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->min || json_integer_value(v) > f->max)
            add(e, PROBLEM_INVALID_FIELD, at, "range",
                T(arena_sprintf(r->a, "'%s' là số nguyên từ %ld đến %ld", f->name, f->min, f->max),
                  arena_sprintf(r->a, "'%s' must be an integer from %ld to %ld", f->name, f->min, f->max)));
        break;
    case F_ID:
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            add(e, PROBLEM_INVALID_FIELD, at, "type",
                T(arena_sprintf(r->a, "'%s' là mã số nguyên dương", f->name),
                  arena_sprintf(r->a, "'%s' must be a positive integer id", f->name)));
        break;
    case F_BOOL:
        if (!json_is_boolean(v))
            add(e, PROBLEM_INVALID_FIELD, at, "type",
                T(arena_sprintf(r->a, "'%s' là true hoặc false", f->name),
                  arena_sprintf(r->a, "'%s' must be true or false", f->name)));
        break;
    case F_DATE:
        if (!json_is_string(v) || !valid_date(json_string_value(v)))
            add(e, PROBLEM_INVALID_FIELD, at, "format",
                T(arena_sprintf(r->a, "'%s' là một ngày YYYY-MM-DD có thật", f->name),
                  arena_sprintf(r->a, "'%s' must be a date YYYY-MM-DD", f->name)));
        break;
    case F_TIME:
        if (!json_is_string(v) || !valid_time(json_string_value(v)))
            add(e, PROBLEM_INVALID_FIELD, at, "format",
                T(arena_sprintf(r->a, "'%s' là thời điểm RFC 3339 có múi giờ", f->name),
                  arena_sprintf(r->a, "'%s' must be an RFC 3339 time with offset", f->name)));
        break;
    case F_ENUM: {
        bool ok = false;
        if (json_is_string(v))
            for (const char *const *x = f->values; *x; x++)
                ok |= strcmp(*x, json_string_value(v)) == 0;
        if (!ok) {
            struct sbuf b;
            sbuf_init(&b, r->a, 64);
            for (const char *const *x = f->values; *x; x++)
                sbuf_printf(&b, "%s%s", x == f->values ? "" : ", ", *x);
            add(e, PROBLEM_INVALID_FIELD, at, "enum",
                T(arena_sprintf(r->a, "'%s' là một trong: %s", f->name, b.s),
                  arena_sprintf(r->a, "'%s' must be one of: %s", f->name, b.s)));
        }
        break;
    }
    case F_ARRAY:
    case F_CODES: {
        if (!json_is_array(v) || (long)json_array_size(v) < f->min || (long)json_array_size(v) > f->max) {
            add(e, PROBLEM_INVALID_FIELD, at, "items",
                T(arena_sprintf(r->a, "'%s' là danh sách từ %ld đến %ld phần tử", f->name, f->min, f->max),
                  arena_sprintf(r->a, "'%s' must be a list of %ld to %ld items", f->name, f->min, f->max)));
            break;
        }
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it) {
            const char *item_at = arena_sprintf(r->a, "%s/%zu", at, i);
            if (f->type == F_CODES) {
                size_t n = json_is_string(it) ? json_string_length(it) : 0;
                if (n < 1 || n > CODE_MAX)
                    add(e, PROBLEM_INVALID_FIELD, item_at, "type",
                        T(arena_sprintf(r->a, "các phần tử của '%s' là mã dài 1 đến %d ký tự", f->name, CODE_MAX),
                          arena_sprintf(r->a, "'%s' items must be codes of 1 to %d characters", f->name, CODE_MAX)));
            } else if (f->items) {
                if (json_is_object(it))
                    check_object(e, it, f->items, item_at);
                else
                    add(e, PROBLEM_INVALID_FIELD, item_at, "type",
                        T(arena_sprintf(r->a, "các phần tử của '%s' là đối tượng", f->name),
                          arena_sprintf(r->a, "'%s' items must be objects", f->name)));
            } else if (!json_is_integer(it) || json_integer_value(it) < 1) {
                add(e, PROBLEM_INVALID_FIELD, item_at, "type",
                    T(arena_sprintf(r->a, "các phần tử của '%s' là mã số nguyên dương", f->name),
                      arena_sprintf(r->a, "'%s' items must be positive integer ids", f->name)));
            }
        }
        break;
    }
    }
}

static void check_object(struct verrs *e, json_t *obj, const struct field *fields, const char *base)
{
    struct req *r = e->r;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        const struct field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (f->name)
            continue;
        bool owned = false;
        for (const char *const *s = server_owned; *s; s++)
            owned |= strcmp(*s, key) == 0;
        if (owned)
            add(e, PROBLEM_READ_ONLY_FIELD, member(r, base, key), "read-only",
                T(arena_sprintf(r->a, "'%s' do máy chủ đặt, không do ứng dụng gửi", key),
                  arena_sprintf(r->a, "'%s' is set by the server, not by the client", key)));
        else
            add(e, PROBLEM_UNKNOWN_FIELD, member(r, base, key), "unknown",
                T(arena_sprintf(r->a, "không có trường '%s'", key),
                  arena_sprintf(r->a, "unknown field '%s'", key)));
    }
    for (const struct field *f = fields; f->name; f++) {
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                add(e, PROBLEM_INVALID_FIELD, member(r, base, f->name), "required",
                    T(arena_sprintf(r->a, "thiếu trường '%s'", f->name),
                      arena_sprintf(r->a, "'%s' is required", f->name)));
            continue;
        }
        check_field(e, f, v, member(r, base, f->name));
    }
}

bool validate_or_answer(struct req *r, json_t *obj, const struct field *fields)
{
    struct verrs e = { r, json_array(), 0, NULL };
    check_object(&e, obj, fields, "");
    if (!e.detail) {
        json_decref(e.list);
        return true;
    }
    json_t *ext = json_object();
    json_object_set_new(ext, "errors", e.list);
    resp_problem_ext(r, e.problem, json_array_size(e.list) == 1 ? e.detail
                     : T(arena_sprintf(r->a, "%s (và %zu lỗi khác: xem errors)", e.detail, json_array_size(e.list) - 1),
                         arena_sprintf(r->a, "%s (and %zu more: see errors)", e.detail, json_array_size(e.list) - 1)),
                     ext);
    return false;
}

bool limit_or_answer(struct req *r, int def, int max, int *out)
{
    const char *lim = req_query(r, "limit");
    *out = def;
    if (!lim)
        return true;
    char *end;
    long l = strtol(lim, &end, 10);
    if (!*lim || *end || l < 1 || l > max) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     T(arena_sprintf(r->a, "limit là số nguyên từ 1 đến %d", max),
                       arena_sprintf(r->a, "limit must be from 1 to %d", max)));
        return false;
    }
    *out = (int)l;
    return true;
}

static void release_json(void *p)
{
    json_decref(p);
}

json_t *body_valid_or_answer(struct req *r, const struct field *fields)
{
    if (r->body_len == 0) {
        bool any_required = false;
        for (const struct field *f = fields; f->name; f++)
            any_required |= f->required;
        if (!any_required) {
            json_t *j = json_object();
            arena_defer(r->a, release_json, j);
            return j;
        }
    }
    json_t *j = req_json_object_or_answer(r);
    if (!j)
        return NULL;
    return validate_or_answer(r, j, fields) ? j : NULL;
}

bool page_or_answer(struct req *r, int def, int max, const char **after, const char **limit)
{
    const char *cur = req_query(r, "cursor");
    if (cur && !cursor_parse_id(r->a, cur, &cur)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "cursor không phải do API này cấp", "cursor is not one this API gave"));
        return false;
    }
    int n;
    if (!limit_or_answer(r, def, max, &n))
        return false;
    *after = cur;
    *limit = arena_sprintf(r->a, "%d", n);
    return true;
}
