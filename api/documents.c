/* Documents: see documents.h. The handlers check the shape of the input;
 * the workflow functions in sql/migrations/0003_workflow.sql check who may
 * act and in which state, in the same transaction as the change. */
#include "documents.h"
#include "audit.h"
#include "validate.h"
#include "../cache/inbox.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_LIMIT_MAX 100
#define SEARCH_LIMIT_DEFAULT 20

static const char *const roles[] = { "main", "coordinate", "info", NULL };
static const char *const progress_actions[] = { "read", "report", "ask", "finish", NULL };
static const struct field no_fields[] = { { NULL, 0, false, 0, 0, NULL, NULL } };

static const char *id_str(struct req *r, int64_t id)
{
    return arena_sprintf(r->a, "%lld", (long long)id);
}

/* Answers with the document as the user sees it, with its ETag. */
static int respond_detail(struct req *r, int64_t id, int status)
{
    const char *p[2] = { id_str(r, id), id_str(r, r->user_id) };
    PGresult *res = db_exec(r, "doc_detail", 2, p);
    if (!res)
        return api_db_error(r);
    if (PQntuples(res) != 1)
        return api_error(r, 404, "document-not-found", "no such document");
    resp_header(r, "ETag", arena_sprintf(r->a, "\"d%lld-%s\"", (long long)id, PQgetvalue(res, 0, 1)));
    r->cache_control = "private, no-cache";
    const char *body = PQgetvalue(res, 0, 0);
    return api_raw(r, status, "application/json", body, strlen(body));
}

/* One workflow step: the statement, its audit row and the commit in one
 * transaction; then the document as it now is. */
static int act(struct req *r, int64_t id, const char *stmt, int n, const char *const *params,
               const char *action, int status)
{
    if (!db_begin(r))
        return api_db_error(r);
    PGresult *res = db_exec(r, stmt, n, params);
    if (!res)
        return api_db_error(r);
    if (id == 0)
        id = db_ll(res, 0, 0);
    if (!audit(r, r->user_id, action, "document", id, NULL) || !inbox_commit(r))
        return api_db_error(r);
    return respond_detail(r, id, status);
}

static bool path_id(struct req *r, int64_t *id)
{
    if (req_param_id(r, "id", id))
        return true;
    api_error(r, 404, "document-not-found", "no such document");
    return false;
}

static const struct field incoming_fields[] = {
    { "type_code", F_STR, true, 1, 10, NULL, NULL },
    { "subject", F_STR, true, 1, 500, NULL, NULL },
    { "number_notation", F_STR, true, 1, 50, NULL, NULL },
    { "doc_date", F_DATE, true, 0, 0, NULL, NULL },
    { "issuer_name", F_STR, true, 1, 200, NULL, NULL },
    { "issuer_code", F_STR, false, 1, 35, NULL, NULL },
    { "urgency", F_INT, false, 0, 3, NULL, NULL },
    { "secrecy", F_INT, false, 0, 3, NULL, NULL },
    { "pages", F_INT, false, 1, 9999, NULL, NULL },
    { "signer_name", F_STR, false, 1, 100, NULL, NULL },
    { "received_at", F_TIME, false, 0, 0, NULL, NULL },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};

int doc_create_incoming(struct req *r)
{
    json_t *b = body_valid(r, incoming_fields);
    if (!b)
        return r->status;
    const char *p[2] = { id_str(r, r->user_id), json_text(r, b) };
    return act(r, 0, "doc_register_incoming", 2, p, "document.register", 201);
}

static const struct field recipient_fields[] = {
    { "agency_code", F_STR, false, 13, 13, NULL, NULL },
    { "name", F_STR, false, 1, 200, NULL, NULL },
    { "code", F_STR, false, 1, 35, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};

static const struct field outgoing_fields[] = {
    { "type_code", F_STR, true, 1, 10, NULL, NULL },
    { "subject", F_STR, true, 1, 500, NULL, NULL },
    { "urgency", F_INT, false, 0, 3, NULL, NULL },
    { "secrecy", F_INT, false, 0, 3, NULL, NULL },
    { "pages", F_INT, false, 1, 9999, NULL, NULL },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { "recipients", F_ARRAY, true, 1, 200, NULL, recipient_fields },
    { NULL, 0, false, 0, 0, NULL, NULL },
};

int doc_create_outgoing(struct req *r)
{
    json_t *b = body_valid(r, outgoing_fields);
    if (!b)
        return r->status;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "recipients"), i, it) {
        bool agency = json_object_get(it, "agency_code") != NULL;
        bool name = json_object_get(it, "name") != NULL;
        if (agency == name)
            return api_error(r, 400, "invalid-field",
                             "each recipient has either agency_code (inside the system) or name (outside it)");
        if (agency && json_object_get(it, "code"))
            return api_error(r, 400, "invalid-field", "'code' goes with an outside recipient's name");
    }
    const char *p[2] = { id_str(r, r->user_id), json_text(r, b) };
    return act(r, 0, "doc_create_draft", 2, p, "document.draft", 201);
}

int doc_get(struct req *r)
{
    int64_t id;
    if (!path_id(r, &id))
        return r->status;
    const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");
    if (inm) {
        const char *p[2] = { id_str(r, id), id_str(r, r->user_id) };
        PGresult *res = db_exec(r, "doc_version", 2, p);
        if (!res)
            return api_db_error(r);
        if (PQntuples(res) == 1) {
            const char *etag = arena_sprintf(r->a, "\"d%lld-%s\"", (long long)id, PQgetvalue(res, 0, 0));
            if (strstr(inm, etag)) {
                resp_header(r, "ETag", etag);
                r->cache_control = "private, no-cache";
                return api_raw(r, 304, NULL, NULL, 0);
            }
        }
    }
    return respond_detail(r, id, 200);
}

int doc_search(struct req *r)
{
    const char *q = req_query(r, "q"), *cur = req_query(r, "cursor"), *lim = req_query(r, "limit");
    int limit = SEARCH_LIMIT_DEFAULT;
    if (lim) {
        char *end;
        long l = strtol(lim, &end, 10);
        if (*end || l < 1 || l > SEARCH_LIMIT_MAX)
            return api_error(r, 400, "invalid-parameter",
                             arena_sprintf(r->a, "limit must be from 1 to %d", SEARCH_LIMIT_MAX));
        limit = (int)l;
    }
    if (cur && (!*cur || strspn(cur, "0123456789") != strlen(cur) || strlen(cur) > 18))
        return api_error(r, 400, "invalid-parameter", "cursor is not one this API gave");
    if (q) {
        long n = utf8_length(q);
        if (n < 2 || n > 200)
            return api_error(r, 400, "invalid-parameter", "q must be 2 to 200 characters");
    }
    const char *p[4] = { id_str(r, r->user_id), q, cur, arena_sprintf(r->a, "%d", limit) };
    PGresult *res = db_exec(r, "doc_search", 4, p);
    if (!res)
        return api_db_error(r);
    const char *body = PQgetvalue(res, 0, 0);
    return api_raw(r, 200, "application/json", body, strlen(body));
}

/* The workflow steps: each a statement taking (user, document, the listed
 * body fields in order), an audit action, and the body it accepts. */
struct doc_step {
    const char *stmt;
    const char *action;
    const struct field *fields;
    const char *const *args;
    bool (*check)(struct req *r, json_t *body);   /* beyond the field table */
};

static const char *const no_args[] = { NULL };

static const struct field present_fields[] = {
    { "leader_id", F_ID, true, 0, 0, NULL, NULL },
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};
static const char *const present_args[] = { "leader_id", "note", NULL };

static const struct field assignment_fields[] = {
    { "user_id", F_ID, false, 0, 0, NULL, NULL },
    { "unit_id", F_ID, false, 0, 0, NULL, NULL },
    { "role", F_ENUM, true, 0, 0, roles, NULL },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};
static const struct field direct_fields[] = {
    { "note", F_STR, true, 1, 2000, NULL, NULL },
    { "assignments", F_ARRAY, true, 1, 100, NULL, assignment_fields },
    { NULL, 0, false, 0, 0, NULL, NULL },
};
static const char *const direct_args[] = { "note", "assignments", NULL };

static bool direct_check(struct req *r, json_t *b)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(b, "assignments"), i, a) {
        if ((json_object_get(a, "user_id") == NULL) == (json_object_get(a, "unit_id") == NULL)) {
            api_error(r, 400, "invalid-field", "each assignment names either user_id or unit_id");
            return false;
        }
    }
    return true;
}

static const struct field progress_fields[] = {
    { "action", F_ENUM, true, 0, 0, progress_actions, NULL },
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};
static const char *const progress_args[] = { "action", "note", NULL };

static bool progress_check(struct req *r, json_t *b)
{
    const char *action = json_string_value(json_object_get(b, "action"));
    if (!json_object_get(b, "note") && (strcmp(action, "report") == 0 || strcmp(action, "ask") == 0)) {
        api_error(r, 400, "invalid-field", "a report or a question needs a 'note'");
        return false;
    }
    return true;
}

static const struct field approve_fields[] = {
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};
static const char *const note_args[] = { "note", NULL };

static const struct field return_fields[] = {
    { "reason", F_STR, true, 1, 2000, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};
static const char *const return_args[] = { "reason", NULL };

static const struct field sign_fields[] = {
    { "signed_file_id", F_ID, false, 0, 0, NULL, NULL },
    { NULL, 0, false, 0, 0, NULL, NULL },
};
static const char *const sign_args[] = { "signed_file_id", NULL };

const struct doc_step doc_step_register = { "doc_register_received", "document.register", no_fields, no_args, NULL };
const struct doc_step doc_step_present = { "doc_present", "document.present", present_fields, present_args, NULL };
const struct doc_step doc_step_direct = { "doc_direct", "document.direct", direct_fields, direct_args,
                                          direct_check };
const struct doc_step doc_step_progress = { "doc_progress", "document.progress", progress_fields, progress_args,
                                            progress_check };
const struct doc_step doc_step_submit = { "doc_submit", "document.submit", no_fields, no_args, NULL };
const struct doc_step doc_step_approve = { "doc_approve", "document.approve", approve_fields, note_args, NULL };
const struct doc_step doc_step_return = { "doc_return", "document.return", return_fields, return_args, NULL };
const struct doc_step doc_step_sign = { "doc_sign", "document.sign", sign_fields, sign_args, NULL };
const struct doc_step doc_step_issue = { "doc_issue", "document.issue", no_fields, no_args, NULL };

int doc_step(struct req *r)
{
    const struct doc_step *s = r->match.route->data;
    int64_t id;
    json_t *b;
    if (!path_id(r, &id) || !(b = body_valid(r, s->fields)) || (s->check && !s->check(r, b)))
        return r->status;
    const char *p[8] = { id_str(r, r->user_id), id_str(r, id) };
    int n = 2;
    for (const char *const *a = s->args; *a && n < 8; a++) {
        json_t *v = json_object_get(b, *a);
        p[n++] = !v || json_is_null(v) ? NULL
               : json_is_string(v)    ? json_string_value(v)
               : json_is_integer(v)   ? id_str(r, json_integer_value(v))
                                      : json_text(r, v);
    }
    return act(r, id, s->stmt, n, p, s->action, 200);
}

int doc_approve_one(struct req *r, int64_t doc_id, const char *note, const char **slug,
                    const char **detail)
{
    const char *p[3] = { id_str(r, r->user_id), id_str(r, doc_id), note };
    if (db_begin(r) && db_exec(r, "doc_approve", 3, p) &&
        audit(r, r->user_id, "document.approve", "document", doc_id, NULL) && inbox_commit(r))
        return 200;
    int st = db_error_status(r, slug, detail);
    db_rollback(r);
    return st;
}
