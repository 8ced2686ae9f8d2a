/* Body validation: see validate.h. */
#include "validate.h"
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

static bool bad(struct req *r, int problem, const char *detail)
{
    resp_problem(r, problem, detail);
    return false;
}

bool validate_or_answer(struct req *r, json_t *obj, const struct field *fields)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        const struct field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (f->name)
            continue;
        for (const char *const *s = server_owned; *s; s++)
            if (strcmp(*s, key) == 0)
                return bad(r, PROBLEM_READ_ONLY_FIELD,
                           arena_sprintf(r->a, "'%s' is set by the server, not by the client", key));
        return bad(r, PROBLEM_UNKNOWN_FIELD, arena_sprintf(r->a, "unknown field '%s'", key));
    }
    for (const struct field *f = fields; f->name; f++) {
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                return bad(r, PROBLEM_INVALID_FIELD, arena_sprintf(r->a, "'%s' is required", f->name));
            continue;
        }
        const char *err = NULL, *s;
        switch (f->type) {
        case F_STR:
            if (!jsonx_get_str(r->a, obj, f->name, true, (size_t)f->min, (size_t)f->max, &s, &err))
                return bad(r, PROBLEM_INVALID_FIELD, err);
            break;
        case F_INT:
        case F_ID:
            if (!json_is_integer(v) || json_integer_value(v) < (f->type == F_ID ? 1 : f->min) ||
                (f->type == F_INT && json_integer_value(v) > f->max))
                return bad(r, PROBLEM_INVALID_FIELD,
                           f->type == F_ID ? arena_sprintf(r->a, "'%s' must be a positive integer id", f->name)
                                           : arena_sprintf(r->a, "'%s' must be an integer from %ld to %ld",
                                                           f->name, f->min, f->max));
            break;
        case F_CODES: {
            if (!json_is_array(v) || (long)json_array_size(v) < f->min || (long)json_array_size(v) > f->max)
                return bad(r, PROBLEM_INVALID_FIELD,
                           arena_sprintf(r->a, "'%s' must be a list of %ld to %ld codes", f->name, f->min, f->max));
            size_t i;
            json_t *it;
            json_array_foreach(v, i, it) {
                size_t n = json_is_string(it) ? json_string_length(it) : 0;
                if (n < 1 || n > CODE_MAX)
                    return bad(r, PROBLEM_INVALID_FIELD,
                               arena_sprintf(r->a, "'%s' items must be codes of 1 to %d characters", f->name, CODE_MAX));
            }
            break;
        }
        case F_BOOL:
            if (!json_is_boolean(v))
                return bad(r, PROBLEM_INVALID_FIELD, arena_sprintf(r->a, "'%s' must be true or false", f->name));
            break;
        case F_DATE:
            if (!json_is_string(v) || !valid_date(json_string_value(v)))
                return bad(r, PROBLEM_INVALID_FIELD,
                           arena_sprintf(r->a, "'%s' must be a date YYYY-MM-DD", f->name));
            break;
        case F_TIME:
            if (!json_is_string(v) || !valid_time(json_string_value(v)))
                return bad(r, PROBLEM_INVALID_FIELD,
                           arena_sprintf(r->a, "'%s' must be an RFC 3339 time with offset", f->name));
            break;
        case F_ENUM: {
            bool ok = false;
            if (json_is_string(v))
                for (const char *const *e = f->values; *e; e++)
                    if (strcmp(*e, json_string_value(v)) == 0)
                        ok = true;
            if (!ok) {
                struct sbuf b;
                sbuf_init(&b, r->a, 64);
                for (const char *const *e = f->values; *e; e++)
                    sbuf_printf(&b, "%s%s", e == f->values ? "" : ", ", *e);
                return bad(r, PROBLEM_INVALID_FIELD,
                           arena_sprintf(r->a, "'%s' must be one of: %s", f->name, b.s));
            }
            break;
        }
        case F_ARRAY: {
            if (!json_is_array(v) || (long)json_array_size(v) < f->min ||
                (long)json_array_size(v) > f->max)
                return bad(r, PROBLEM_INVALID_FIELD,
                           arena_sprintf(r->a, "'%s' must be a list of %ld to %ld items", f->name,
                                         f->min, f->max));
            size_t i;
            json_t *it;
            json_array_foreach(v, i, it) {
                if (f->items) {
                    if (!json_is_object(it))
                        return bad(r, PROBLEM_INVALID_FIELD,
                                   arena_sprintf(r->a, "'%s' items must be objects", f->name));
                    if (!validate_or_answer(r, it, f->items))
                        return false;
                } else if (!json_is_integer(it) || json_integer_value(it) < 1) {
                    return bad(r, PROBLEM_INVALID_FIELD,
                               arena_sprintf(r->a, "'%s' items must be positive integer ids", f->name));
                }
            }
            break;
        }
        }
    }
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
