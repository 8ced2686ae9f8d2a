/* Request accessors and response writing: see http.h. */
#include "http.h"
#include "db.h"
#include "jsonx.h"
#include "config.h"
#include "log.h"

#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *req_env(struct req *r, const char *name)
{
    return FCGX_GetParam(name, r->fx->envp);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *url_decode(struct arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+')
            *o++ = ' ';
        else if (s[i] == '%' && i + 2 < n &&
                 hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else
            *o++ = s[i];
    }
    *o = '\0';
    return out;
}

const char *req_query(struct req *r, const char *name)
{
    const char *q = r->query;
    size_t nl = strlen(name);
    while (q && *q) {
        const char *end = q + strcspn(q, "&");
        const char *eq = memchr(q, '=', (size_t)(end - q));
        const char *kend = eq ? eq : end;
        if ((size_t)(kend - q) == nl && memcmp(q, name, nl) == 0)
            return eq ? url_decode(r->a, eq + 1, (size_t)(end - eq - 1)) : "";
        q = *end ? end + 1 : end;
    }
    return NULL;
}

bool req_utf8_or_answer(struct req *r)
{
    const char *q = r->query ? url_decode(r->a, r->query, strlen(r->query)) : "";
    if (jsonx_utf8_length(r->path ? r->path : "") >= 0 && jsonx_utf8_length(q) >= 0)
        return true;
    resp_problem(r, PROBLEM_BAD_REQUEST, SAY(r, "địa chỉ và các tham số phải là UTF-8",
                                               "the address and its parameters must be UTF-8"));
    return false;
}

const char *req_param(struct req *r, const char *name)
{
    size_t nl = strlen(name);
    for (int i = 0; i < r->match.nparams; i++)
        if (r->match.name_lens[i] == nl && memcmp(r->match.names[i], name, nl) == 0)
            return arena_strndup(r->a, r->match.values[i], r->match.value_lens[i]);
    return NULL;
}

bool req_param_id(struct req *r, const char *name, int64_t *out)
{
    const char *s = req_param(r, name);
    if (!s || !*s || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v <= 0)
        return false;
    *out = v;
    return true;
}

json_t *req_json_object_or_answer(struct req *r)
{
    const char *ct = req_env(r, "CONTENT_TYPE");
    const char *cs = ct ? strcasestr(ct, "charset=") : NULL;
    if (cs) {                        /* JSON is UTF-8 (RFC 8259): another charset is refused, not misread */
        cs += 8;
        cs += *cs == '"';
        if (strncasecmp(cs, "utf-8", 5) != 0 || (cs[5] && cs[5] != '"' && cs[5] != ';' && cs[5] != ' ')) {
            resp_problem(r, PROBLEM_UNSUPPORTED_MEDIA_TYPE, SAY(r, "JSON phải được gửi ở dạng UTF-8",
                                                                "JSON is sent in UTF-8"));
            return NULL;
        }
    }
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        resp_problem(r, PROBLEM_UNSUPPORTED_MEDIA_TYPE, SAY(r, "thân yêu cầu phải là application/json",
                                                            "the body must be application/json"));
        return NULL;
    }
    const char *err = NULL;
    json_t *j = jsonx_parse_strict_lang(r->a, r->body, r->body_len, r->lang_en, &err);
    if (!j) {
        resp_problem(r, PROBLEM_MALFORMED_JSON, err);
        return NULL;
    }
    if (!json_is_object(j)) {
        resp_problem(r, PROBLEM_MALFORMED_JSON, SAY(r, "thân yêu cầu phải là một đối tượng JSON",
                                                     "the body must be a JSON object"));
        return NULL;
    }
    return j;
}

void resp_header(struct req *r, const char *name, const char *value)
{
    sbuf_puts(&r->hdrs, name);
    sbuf_add(&r->hdrs, ": ", 2);
    sbuf_puts(&r->hdrs, value);
    sbuf_add(&r->hdrs, "\r\n", 2);
}

void resp_raw(struct req *r, int status, const char *ctype, const char *body, size_t len)
{
    r->status = status;
    r->ctype = ctype;
    r->out.len = 0;
    if (body)
        sbuf_add(&r->out, body, len);
    r->responded = true;
}

void resp_json_text(struct req *r, int status, const char *body)
{
    resp_raw(r, status, "application/json", body, strlen(body));
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    return sbuf_try_add(data, buf, size) ? 0 : -1;
}

void resp_json(struct req *r, int status, json_t *body)
{
    r->status = status;
    r->ctype = "application/json";
    r->out.len = 0;
    int rc = json_dump_callback(body, dump_cb, &r->out, JSON_COMPACT);
    json_decref(body);
    if (rc != 0 && r->a->refused)
        arena_limit_passed(r->a);  /* the body is let go first */
    r->responded = true;
}

void resp_no_content(struct req *r)
{
    r->status = 204;
    r->ctype = NULL;
    r->out.len = 0;
    r->responded = true;
}

const char *req_id_text(struct req *r, int64_t id)
{
    return arena_sprintf(r->a, "%lld", (long long)id);
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

bool http_prefers_english(const char *al)
{
    double best = 0;
    bool en = false;
    for (const char *p = al ? al : ""; *p;) {
        p += strspn(p, " \t,");
        const char *tag = p;
        size_t n = strcspn(p, ",; \t");
        p += n;
        double q = 1;
        size_t rest = strcspn(p, ",");     /* the tag's parameters, up to the next tag */
        for (const char *x = p; x < p + rest; x++)
            if ((*x == 'q' || *x == 'Q') && x[1] == '=') {
                q = strtod(x + 2, NULL);
                break;
            }
        p += rest;
        /* only the languages served compete: English and Vietnamese */
        bool is_en = (n == 2 || (n > 2 && tag[2] == '-')) && strncasecmp(tag, "en", 2) == 0;
        bool is_vi = (n == 2 || (n > 2 && tag[2] == '-')) && strncasecmp(tag, "vi", 2) == 0;
        if (!(is_en || is_vi) || q <= best)
            continue;
        best = q;
        en = is_en;
    }
    return en;
}

/* Whether an If-Match field value (RFC 9110: "*" or a list of entity
 * tags, compared strongly) names etag. */
bool http_etag_matches(const char *field, const char *etag)
{
    size_t n = strlen(etag);
    size_t lead = strspn(field, " \t"), n_field = strlen(field);
    while (n_field > lead && (field[n_field - 1] == ' ' || field[n_field - 1] == '\t'))
        n_field--;
    if (n_field - lead == 1 && field[lead] == '*')
        return true;                   /* "*" alone: any current version */
    for (const char *p = field; *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && memcmp(p, etag, n) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

void resp_problem_ext(struct req *r, int problem, const char *detail, json_t *ext)
{
    const struct problem *p = problem_get(problem);
    resp_json(r, p->status, problem_json(p, detail, r->path ? r->path : "/", r->c.request_id, ext, r->lang_en));
    resp_header(r, "Content-Language", r->lang_en ? "en" : "vi");
    r->ctype = "application/problem+json";
}

void resp_json_tagged(struct req *r, const char *etag, const char *body)
{
    resp_header(r, "ETag", etag);
    r->cache_control = "private, no-cache";
    const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");
    if (inm && http_etag_matches(inm, etag)) {
        resp_raw(r, 304, NULL, NULL, 0);
        return;
    }
    resp_json_text(r, 200, body);
}

void resp_problem_at(struct req *r, int problem, const char *pointer, const char *code, const char *detail)
{
    json_t *one = json_object(), *errors = json_array(), *ext = json_object();
    json_object_set_new(one, "pointer", json_string(pointer));
    json_object_set_new(one, "code", json_string(code));
    json_object_set_new(one, "detail", json_string(detail));
    json_array_append_new(errors, one);
    json_object_set_new(ext, "errors", errors);
    resp_problem_ext(r, problem, detail, ext);
}

void resp_problem(struct req *r, int problem, const char *detail)
{
    resp_problem_ext(r, problem, detail, NULL);
}

void resp_problem_db(struct req *r)
{
    const char *detail;
    const struct problem *p = problem_of_db_failure(&r->c, r->lang_en, &detail);
    if (p->status == 503)
        resp_header(r, "Retry-After", p == problem_get(PROBLEM_DATABASE_BUSY) ? "1" : "5");
    json_t *ext = NULL;
    if (r->c.sqlpointer && p->sqlstate) {     /* the field the refusal is about */
        json_t *one = json_object(), *errors = json_array();
        json_object_set_new(one, "pointer", json_string(r->c.sqlpointer));
        json_object_set_new(one, "code", json_string("value"));
        json_object_set_new(one, "detail", json_string(detail));
        json_array_append_new(errors, one);
        ext = json_object();
        json_object_set_new(ext, "errors", errors);
    }
    resp_json(r, p->status, problem_json(p, detail, r->path ? r->path : "/", r->c.request_id, ext, r->lang_en));
    resp_header(r, "Content-Language", r->lang_en ? "en" : "vi");
    r->ctype = "application/problem+json";
}

static void put_header(FCGX_Stream *out, const char *name, const char *value)
{
    FCGX_PutS(name, out);
    FCGX_PutS(": ", out);
    FCGX_PutS(value, out);
    FCGX_PutS("\r\n", out);
}

/* Takes nothing from the arena, which may be at its limit. */
void resp_send(struct req *r)
{
    FCGX_Stream *out = r->fx->out;
    char num[32];
    snprintf(num, sizeof num, "%d %s", r->status, http_reason(r->status));
    put_header(out, "Status", num);
    if (r->ctype)
        put_header(out, "Content-Type", r->ctype);
    snprintf(num, sizeof num, "%zu", r->out.len);
    put_header(out, "Content-Length", num);
    put_header(out, "X-Request-Id", r->c.request_id);
    put_header(out, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
    FCGX_PutStr(r->hdrs.s, (int)r->hdrs.len, out);
    FCGX_PutS("\r\n", out);
    if (r->out.len && r->status != 304 && r->status != 204)
        FCGX_PutStr(r->out.s, (int)r->out.len, out);
}
