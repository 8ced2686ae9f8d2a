/* Request accessors and response writing: see http.h. */
#include "http.h"
#include "json.h"
#include "config.h"
#include "log.h"

#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

json_t *req_json_object(struct req *r)
{
    const char *ct = req_env(r, "CONTENT_TYPE");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        api_error(r, 415, "unsupported-media-type", "the body must be application/json");
        return NULL;
    }
    const char *err = NULL;
    json_t *j = json_parse_strict(r->a, r->body, r->body_len, &err);
    if (!j) {
        api_error(r, 400, "malformed-json", err);
        return NULL;
    }
    if (!json_is_object(j)) {
        api_error(r, 400, "malformed-json", "the body must be a JSON object");
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

int api_raw(struct req *r, int status, const char *ctype, const char *body, size_t len)
{
    r->status = status;
    r->ctype = ctype;
    r->out.len = 0;
    if (body)
        sbuf_add(&r->out, body, len);
    r->responded = true;
    return status;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    sbuf_add(data, buf, size);
    return 0;
}

const char *json_text(struct req *r, json_t *j)
{
    struct sbuf b;
    sbuf_init(&b, r->a, 256);
    json_dump_callback(j, dump_cb, &b, JSON_COMPACT);
    return b.s;
}

int api_json(struct req *r, int status, json_t *body)
{
    r->status = status;
    r->ctype = "application/json";
    r->out.len = 0;
    json_dump_callback(body, dump_cb, &r->out, JSON_COMPACT);
    json_decref(body);
    r->responded = true;
    return status;
}

int api_no_content(struct req *r)
{
    r->status = 204;
    r->ctype = NULL;
    r->out.len = 0;
    r->responded = true;
    return 204;
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

int api_error_ext(struct req *r, int status, const char *slug, const char *detail,
                  json_t *ext)
{
    json_t *p = ext ? ext : json_object();
    json_object_set_new(p, "type", json_string(arena_sprintf(r->a, "urn:qlvb:problem:%s", slug)));
    json_object_set_new(p, "title", json_string(http_reason(status)));
    json_object_set_new(p, "status", json_integer(status));
    if (detail)
        json_object_set_new(p, "detail", json_string(detail));
    json_object_set_new(p, "instance", json_string(r->path ? r->path : "/"));
    json_object_set_new(p, "request_id", json_string(r->request_id ? r->request_id : ""));
    api_json(r, status, p);
    r->ctype = "application/problem+json";
    return status;
}

int api_error(struct req *r, int status, const char *slug, const char *detail)
{
    return api_error_ext(r, status, slug, detail, NULL);
}

int db_error_status(struct req *r, const char **slug, const char **detail)
{
    const char *st = r->sqlstate;
    if (r->db_down) {
        *slug = "database-unavailable";
        *detail = "the database cannot be reached; try again shortly";
        return 503;
    }
    if (st && st[0] == 'Q' && st[1] == 'V') {
        int status = atoi(st + 2);
        *slug = status == 404 ? "document-not-found"
              : status == 403 ? "forbidden"
              : status == 409 ? "wrong-state"
              : status == 422 ? "invalid-value" : "error";
        *detail = r->sqlmsg;
        return status >= 400 && status <= 499 ? status : 500;
    }
    if (st && strncmp(st, "22", 2) == 0) {
        *slug = "invalid-field";
        *detail = r->sqlmsg;
        return 400;
    }
    *slug = "internal-error";
    *detail = "the request could not be completed";
    return 500;
}

int api_db_error(struct req *r)
{
    const char *slug, *detail;
    int status = db_error_status(r, &slug, &detail);
    if (status == 503)
        resp_header(r, "Retry-After", "5");
    return api_error(r, status, slug, detail);
}

void resp_send(struct req *r)
{
    struct sbuf h;
    sbuf_init(&h, r->a, 512);
    sbuf_printf(&h, "Status: %d %s\r\n", r->status, http_reason(r->status));
    if (r->ctype)
        sbuf_printf(&h, "Content-Type: %s\r\n", r->ctype);
    sbuf_printf(&h, "Content-Length: %zu\r\n", r->out.len);
    sbuf_printf(&h, "X-Request-Id: %s\r\n", r->request_id);
    sbuf_printf(&h, "Cache-Control: %s\r\n", r->cache_control ? r->cache_control : "no-store");
    sbuf_add(&h, r->hdrs.s, r->hdrs.len);
    sbuf_add(&h, "\r\n", 2);
    FCGX_PutStr(h.s, (int)h.len, r->fx->out);
    if (r->out.len && r->status != 304 && r->status != 204)
        FCGX_PutStr(r->out.s, (int)r->out.len, r->fx->out);
}
