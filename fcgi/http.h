/* A request and its response. Everything a handler allocates comes from
 * r->a and is released when the request ends. Handlers answer through the
 * resp_* functions; helpers that answer the client themselves when they
 * fail end in _or_answer. */
#ifndef QLVB_HTTP_H
#define QLVB_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ctx.h"
#include "problem.h"
#include "router.h"

struct FCGX_Request;

struct req {
    struct ctx c;                 /* arena, request id, database state */
    struct arena *a;              /* == c.a */
    struct FCGX_Request *fx;
    const char *method, *path, *query;
    const char *remote_addr;
    bool lang_en;                 /* Accept-Language prefers English; else Vietnamese */
    const char *body;             /* NUL-terminated copy of the body */
    size_t body_len;
    struct route_match match;

    /* set by the application's authentication */
    int64_t user_id;
    int64_t session_id;
    void *app;                    /* the application's own state of the request */

    /* response */
    int status;
    bool responded;
    const char *ctype;
    struct sbuf hdrs;             /* extra header lines, each ending in \r\n */
    struct sbuf out;
    const char *cache_control;    /* default no-store */
};

/* A message in the request's language: Vietnamese, or English when the
 * request prefers it (both are literals, so a format is still checked). */
#define SAY(r, vi, en) ((r)->lang_en ? (en) : (vi))

/* Whether an Accept-Language value prefers English (of the languages
 * served, English and Vietnamese, its best-weighted tag is en or en-*)
 * over Vietnamese, the default. */
/* Whether an If-Match field value (RFC 9110: "*" or a list of entity tags,
 * compared strongly) names etag. */
bool http_etag_matches(const char *field, const char *etag);
bool http_prefers_english(const char *accept_language);

/* Request side. Header names as FastCGI gives them: "HTTP_IF_NONE_MATCH". */
const char *req_env(struct req *r, const char *name);
/* The decoded value of a query parameter, or NULL. */
const char *req_query(struct req *r, const char *name);
/* Whether the path and the query decode to UTF-8; if not, answers 400. */
bool req_utf8_or_answer(struct req *r);
/* The route capture {name}, or NULL. */
const char *req_param(struct req *r, const char *name);
/* The capture {name} as a positive id; false when it is not one. */
bool req_param_id(struct req *r, const char *name, int64_t *out);
/* The body as a JSON object; on failure answers 400/415 and returns NULL. */
json_t *req_json_object_or_answer(struct req *r);
/* "%lld" of an id, in the request's arena: the text form statements take. */
const char *req_id_text(struct req *r, int64_t id);

/* Response side: each replaces what was answered before. resp_json takes
 * body over; if its text passes the arena's limit, body is released and the
 * request leaves as arena_alloc does (arena.h). */
void resp_header(struct req *r, const char *name, const char *value);
void resp_json(struct req *r, int status, json_t *body);
void resp_raw(struct req *r, int status, const char *ctype, const char *body, size_t len);
/* A JSON body already written as text (by PostgreSQL, mostly). */
void resp_json_text(struct req *r, int status, const char *body);
void resp_no_content(struct req *r);
/* RFC 9457 problem+json of a registry problem (PROBLEM_*). */
/* Answers 200 with the JSON body and its ETag (private, revalidated), or
 * 304 when the request's If-None-Match names the tag already. */
void resp_json_tagged(struct req *r, const char *etag, const char *body);
/* A problem about one field of the body: its errors name the field's JSON
 * pointer (/recipients/0/name) and a code, as a refused body's do. */
void resp_problem_at(struct req *r, int problem, const char *pointer, const char *code, const char *detail);
void resp_problem(struct req *r, int problem, const char *detail);
/* As resp_problem, with extra members already in ext (taken over). */
void resp_problem_ext(struct req *r, int problem, const char *detail, json_t *ext);
/* After a failed statement: the problem the failure maps to (below). */
void resp_problem_db(struct req *r);

/* Puts the whole response on the wire; takes nothing from the arena. */
void resp_send(struct req *r);

const char *http_reason(int status);

#endif
