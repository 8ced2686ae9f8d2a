/* A request and its response. Everything a handler allocates comes from
 * r->a and is released when the request ends. */
#ifndef QLVB_HTTP_H
#define QLVB_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "router.h"

struct FCGX_Request;

struct req {
    struct arena *a;
    struct FCGX_Request *fx;
    const char *method, *path, *query;
    const char *remote_addr;
    const char *request_id;
    const char *body;             /* NUL-terminated copy of the body */
    size_t body_len;
    struct route_match match;
    long long t0_us;

    /* set by authentication */
    int64_t user_id;
    int64_t session_id;

    /* database state of this request */
    bool in_tx;
    bool db_down;                 /* PostgreSQL could not be reached */
    const char *sqlstate;         /* of the last failed statement */
    const char *sqlmsg;           /* and its message */

    /* response */
    int status;
    bool responded;
    const char *ctype;
    struct sbuf hdrs;             /* extra header lines, each ending in \r\n */
    struct sbuf out;
    const char *cache_control;    /* default no-store */
};

/* Request side. Header names as FastCGI gives them: "HTTP_IF_NONE_MATCH". */
const char *req_env(struct req *r, const char *name);
/* The decoded value of a query parameter, or NULL. */
const char *req_query(struct req *r, const char *name);
/* The route capture {name}, or NULL. */
const char *req_param(struct req *r, const char *name);
bool req_param_id(struct req *r, const char *name, int64_t *out);
/* The body as a JSON object; on failure answers 400/415 and returns NULL. */
json_t *req_json_object(struct req *r);

/* A JSON value as compact text in the request's arena. */
const char *json_text(struct req *r, json_t *j);

/* Response side. Each returns the status, so handlers can `return api_...`. */
void resp_header(struct req *r, const char *name, const char *value);
int api_json(struct req *r, int status, json_t *body);
int api_raw(struct req *r, int status, const char *ctype, const char *body, size_t len);
int api_no_content(struct req *r);
/* RFC 9457 problem+json; slug names the problem ("document-not-found"). */
int api_error(struct req *r, int status, const char *slug, const char *detail);
/* As api_error, with extra members already in ext (taken over). */
int api_error_ext(struct req *r, int status, const char *slug, const char *detail,
                  json_t *ext);
/* After a failed statement: 503 when PostgreSQL is away; the status a
 * workflow function raised as QVnnn; 400 for a value PostgreSQL refused;
 * 500 otherwise. */
int api_db_error(struct req *r);
/* What api_db_error would answer, without answering. */
int db_error_status(struct req *r, const char **slug, const char **detail);

/* Puts the whole response on the wire. */
void resp_send(struct req *r);

const char *http_reason(int status);

#endif
