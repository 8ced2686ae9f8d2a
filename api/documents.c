/* Documents: see documents.h. The handlers check the shape of the input;
 * the workflow functions in sql/functions/workflow.sql check who may act
 * and in which state, in the same transaction as the change. */
#include "documents.h"
#include "audit.h"
#include "cursor.h"
#include "idempotency.h"
#include "schemas.h"
#include "validate.h"
#include "../cache/inbox_cache.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/jsonx.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_LIMIT_MAX 100
#define SEARCH_LIMIT_DEFAULT 20

/* Answers with the document as the user sees it (res: DOC_DETAIL), with
 * its ETag. */
static void answer_detail(struct req *r, PGresult *res, int status)
{
    if (PQntuples(res) != 1) {
        resp_problem(r, PROBLEM_DOCUMENT_NOT_FOUND, SAY(r, "không có văn bản này", "no such document"));
        return;
    }
    r->hdrs.len = 0;
    resp_header(r, "ETag", arena_strdup(r->a, PQgetvalue(res, 0, 1)));
    r->cache_control = "private, no-cache";
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, status, body);
}

static void respond_detail(struct req *r, int64_t id, int status)
{
    PGresult *res = DB_RUN(&r->c, DOC_DETAIL, req_id_text(r, id), req_id_text(r, r->user_id));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    answer_detail(r, res, status);
}

struct step_run {
    struct req *r;
    int64_t id;                   /* 0: the statement returns the new document's id */
    int stmt, n;
    const char *const *params;
    const char *action;
    int status;
    int64_t match_id;             /* the document If-Match speaks of, or 0 */
    const char *if_match;         /* the client's If-Match, or NULL */
    bool precondition_failed;     /* answered 412: nothing was done */
    bool part_of_batch;           /* the batch keeps its own answer with the key */
};

/* With If-Match: locks the document and compares its ETag; on a mismatch
 * answers 412 with the document as it now is and its ETag, and the step
 * is not taken. False when a statement failed. */
static bool precondition_tx(struct ctx *c, struct step_run *s)
{
    struct req *r = s->r;
    /* lock first; then read: in the locking statement's snapshot a change
     * that committed during the wait would not show, and a stale tag would
     * pass */
    PGresult *locked = DB_RUN(c, DOC_LOCK, req_id_text(r, s->match_id), req_id_text(r, r->user_id));
    if (!locked)
        return false;
    if (PQntuples(locked) != 1)
        return true;                   /* unseen documents are refused by the step itself */
    PGresult *cur = DB_RUN(c, DOC_ETAG_NOW, req_id_text(r, s->match_id), req_id_text(r, r->user_id));
    if (!cur)
        return false;
    if (PQntuples(cur) != 1 || http_etag_matches(s->if_match, PQgetvalue(cur, 0, 0)) ||
        http_etag_matches(s->if_match, PQgetvalue(cur, 0, 1)))
        return true;                   /* unseen documents are refused by the step itself */
    PGresult *detail = DB_RUN(c, DOC_DETAIL, req_id_text(r, s->match_id), req_id_text(r, r->user_id));
    if (!detail)
        return false;
    json_t *ext = json_object();
    json_object_set_new(ext, "document", json_loads(PQgetvalue(detail, 0, 0), 0, NULL));
    resp_problem_ext(r, PROBLEM_PRECONDITION_FAILED,
                     SAY(r, "văn bản đã thay đổi so với phiên bản bạn đã xem (If-Match); hãy xem document rồi quyết định lại",
                         "the document has changed since the version you saw (If-Match); see document, then decide again"),
                     ext);
    resp_header(r, "ETag", arena_strdup(r->a, PQgetvalue(detail, 0, 1)));
    s->precondition_failed = true;
    return true;
}

/* One workflow step in its transaction: the If-Match check, the statement,
 * its audit row, and the answer (the document as it now is), kept with the
 * Idempotency-Key in the same transaction. */
static bool step_tx(struct ctx *c, void *arg)
{
    struct step_run *s = arg;
    struct req *r = s->r;
    s->precondition_failed = false;
    if (s->if_match && s->match_id) {
        if (!precondition_tx(c, s))
            return false;
        if (s->precondition_failed)
            return true;
    }
    inbox_cache_track(c);
    PGresult *res = db_exec(c, s->stmt, s->n, s->params);
    if (!res)
        return false;
    int64_t id = s->id ? s->id : db_ll(res, 0, 0);
    if (!audit(r, r->user_id, s->action, "document", id, NULL))
        return false;
    PGresult *detail = DB_RUN(c, DOC_DETAIL, req_id_text(r, id), req_id_text(r, r->user_id));
    if (!detail)
        return false;
    answer_detail(r, detail, s->status);
    return s->part_of_batch || idem_keep_or_fail(r, c);
}

/* A step on document id, or (id 0) a new document; If-Match, when the
 * client sends it, speaks of match_id (the document acted on, or the one a
 * new draft replaces or corrects). */
static void act(struct req *r, int64_t id, int64_t match_id, int stmt, int n, const char *const *params,
                const char *action, int status)
{
    struct step_run s = { r, id, stmt, n, params, action, status, match_id, req_env(r, "HTTP_IF_MATCH"),
                          false, false };
    if (!db_transaction(&r->c, step_tx, &s))
        resp_problem_db(r);
}

static bool path_id_or_answer(struct req *r, int64_t *id)
{
    if (req_param_id(r, "id", id))
        return true;
    resp_problem(r, PROBLEM_DOCUMENT_NOT_FOUND, SAY(r, "không có văn bản này", "no such document"));
    return false;
}

void doc_create_incoming(struct req *r)
{
    json_t *b = body_valid_or_answer(r, schema_incoming);
    if (!b)
        return;
    const char *p[2] = { req_id_text(r, r->user_id), jsonx_text(r->a, b) };
    /* registered before? a warning the clerk confirms with duplicate_ok */
    if (!json_is_true(json_object_get(b, "duplicate_ok"))) {
        PGresult *dup = DB_RUNA(&r->c, DOC_INCOMING_DUPLICATE, p);
        if (!dup) {
            resp_problem_db(r);
            return;
        }
        if (PQntuples(dup) == 1) {
            json_t *ext = json_object();
            json_object_set_new(ext, "duplicate_of", json_loads(PQgetvalue(dup, 0, 0), 0, NULL));
            resp_problem_ext(r, PROBLEM_POSSIBLE_DUPLICATE,
                             SAY(r, "văn bản này có vẻ đã được đăng ký trước đó (xem duplicate_of); để vẫn đăng ký, "
                                    "hãy gửi lại với \"duplicate_ok\": true và một Idempotency-Key mới",
                                 "this document looks registered before (see duplicate_of); send it again with "
                                 "\"duplicate_ok\": true and a new Idempotency-Key to register it all the same"), ext);
            return;
        }
    }
    act(r, 0, 0, DB_STMT(DOC_REGISTER_INCOMING, 2), 2, p, "document.register", 201);
}

void doc_create_outgoing(struct req *r)
{
    json_t *b = body_valid_or_answer(r, schema_draft);
    if (!b)
        return;
    if (json_object_get(b, "replaces") && json_object_get(b, "corrects")) {
        resp_problem_at(r, PROBLEM_INVALID_FIELD, "/corrects", "value",
                        SAY(r, "dự thảo thay thế hoặc đính chính một văn bản, không làm cả hai",
                            "a draft replaces or corrects a document, not both"));
        return;
    }
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "recipients"), i, it) {
        bool agency = json_object_get(it, "agency_code") != NULL;
        bool name = json_object_get(it, "name") != NULL;
        if (agency == name) {
            resp_problem_at(r, PROBLEM_INVALID_FIELD, arena_sprintf(r->a, "/recipients/%zu/%s", i, agency ? "name" : "agency_code"),
                            agency ? "value" : "required",
                            SAY(r, "mỗi nơi nhận có agency_code (trong hệ thống) hoặc name (ngoài hệ thống)",
                                "each recipient has either agency_code (inside the system) or name (outside it)"));
            return;
        }
        if (agency && json_object_get(it, "code")) {
            resp_problem_at(r, PROBLEM_INVALID_FIELD, arena_sprintf(r->a, "/recipients/%zu/code", i), "value",
                            SAY(r, "'code' chỉ đi cùng name của nơi nhận ngoài hệ thống",
                                "'code' goes with an outside recipient's name"));
            return;
        }
    }
    json_t *target = json_object_get(b, "replaces") ? json_object_get(b, "replaces") : json_object_get(b, "corrects");
    const char *p[2] = { req_id_text(r, r->user_id), jsonx_text(r->a, b) };
    act(r, 0, target ? json_integer_value(target) : 0, DB_STMT(DOC_CREATE_DRAFT, 2), 2, p, "document.draft", 201);
}

void doc_get(struct req *r)
{
    int64_t id;
    if (!path_id_or_answer(r, &id))
        return;
    const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");
    if (inm) {
        const char *p[2] = { req_id_text(r, id), req_id_text(r, r->user_id) };
        PGresult *res = DB_RUNA(&r->c, DOC_ETAG, p);
        if (!res) {
            resp_problem_db(r);
            return;
        }
        if (PQntuples(res) == 1) {
            const char *etag = arena_strdup(r->a, PQgetvalue(res, 0, 0));
            if (http_etag_matches(inm, etag)) {
                resp_header(r, "ETag", etag);
                r->cache_control = "private, no-cache";
                resp_raw(r, 304, NULL, NULL, 0);
                return;
            }
        }
    }
    respond_detail(r, id, 200);
}

void doc_search(struct req *r)
{
    const char *q = req_query(r, "q"), *cur = req_query(r, "cursor");
    int limit;
    if (!limit_or_answer(r, SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX, &limit))
        return;
    if (cur && !cursor_parse_id(r->a, cur, &cur)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "cursor không phải do API này cấp", "cursor is not one this API gave"));
        return;
    }
    if (q) {
        /* the words count, not the spaces around them */
        char *t = arena_strdup(r->a, q + strspn(q, " \t"));
        size_t tl = strlen(t);
        while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
            t[--tl] = '\0';
        long n = jsonx_utf8_length(t);
        if (n < 2 || n > 200) {
            resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "q phải dài từ 2 đến 200 ký tự", "q must be 2 to 200 characters"));
            return;
        }
    }
    const char *p[4] = { req_id_text(r, r->user_id), q, cur, arena_sprintf(r->a, "%d", limit) };
    PGresult *res = DB_RUNA(&r->c, DOC_SEARCH, p);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, 200, body);
}

/* The workflow steps: each a statement taking (user, document, the listed
 * body fields in order), an audit action, and the body it accepts. */
struct doc_step {
    int stmt;                                     /* takes 2 + the args */
    const char *action;
    const struct field *fields;
    bool (*check_or_answer)(struct req *r, json_t *body);   /* beyond the field table */
    const char *args[6];                          /* NULL-ended */
};

/* A row, its statement checked at compile time to take (user, document,
 * the args). */
#define STEP(S, action, fields, check, ...) \
    { DB_STMT(S, 2 + DB_NARGS(__VA_ARGS__)), action, fields, check, { __VA_ARGS__, NULL } }
#define STEP0(S, action, fields, check) { DB_STMT(S, 2), action, fields, check, { NULL } }

static bool direct_check_or_answer(struct req *r, json_t *b)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(b, "assignments"), i, a) {
        if ((json_object_get(a, "user_id") == NULL) == (json_object_get(a, "unit_id") == NULL)) {
            resp_problem_at(r, PROBLEM_INVALID_FIELD, arena_sprintf(r->a, "/assignments/%zu/user_id", i),
                            json_object_get(a, "user_id") ? "value" : "required",
                            SAY(r, "mỗi phân công nêu user_id hoặc unit_id", "each assignment names either user_id or unit_id"));
            return false;
        }
    }
    return true;
}

static bool progress_check_or_answer(struct req *r, json_t *b)
{
    const char *action = json_string_value(json_object_get(b, "action"));
    if (!json_object_get(b, "note") && (strcmp(action, "report") == 0 || strcmp(action, "ask") == 0)) {
        resp_problem_at(r, PROBLEM_INVALID_FIELD, "/note", "required",
                        SAY(r, "báo cáo hoặc câu hỏi cần có 'note'", "a report or a question needs a 'note'"));
        return false;
    }
    return true;
}

const struct doc_step doc_step_register = STEP0(DOC_REGISTER_RECEIVED, "document.register", schema_empty, NULL);
const struct doc_step doc_step_present = STEP(DOC_PRESENT, "document.present", schema_present, NULL, "leader_id", "note");
const struct doc_step doc_step_direct = STEP(DOC_DIRECT, "document.direct", schema_direct, direct_check_or_answer,
                                             "note", "assignments");
const struct doc_step doc_step_progress = STEP(DOC_PROGRESS, "document.progress", schema_progress,
                                               progress_check_or_answer, "action", "note");
const struct doc_step doc_step_submit = STEP0(DOC_SUBMIT, "document.submit", schema_empty, NULL);
const struct doc_step doc_step_approve = STEP(DOC_APPROVE, "document.approve", schema_approve, NULL, "note");
const struct doc_step doc_step_return = STEP(DOC_RETURN, "document.return", schema_return, NULL, "reason");
const struct doc_step doc_step_sign = STEP(DOC_SIGN, "document.sign", schema_sign, NULL, "signed_file_id");
const struct doc_step doc_step_issue = STEP0(DOC_ISSUE, "document.issue", schema_empty, NULL);
const struct doc_step doc_step_recall = STEP(DOC_RECALL_ORDER, "document.recall_ordered", schema_recall, NULL, "reason");
const struct doc_step doc_step_recall_carry_out = STEP0(DOC_RECALL_CARRY_OUT, "document.recalled", schema_empty, NULL);

void doc_step(struct req *r)
{
    const struct doc_step *s = r->match.route->data;
    int64_t id;
    json_t *b;
    if (!path_id_or_answer(r, &id) || !(b = body_valid_or_answer(r, s->fields)) ||
        (s->check_or_answer && !s->check_or_answer(r, b)))
        return;
    const char *p[8] = { req_id_text(r, r->user_id), req_id_text(r, id) };
    int n = 2;
    for (const char *const *a = s->args; *a && n < 8; a++) {
        json_t *v = json_object_get(b, *a);
        p[n++] = !v || json_is_null(v) ? NULL
               : json_is_string(v)    ? json_string_value(v)
               : json_is_integer(v)   ? req_id_text(r, json_integer_value(v))
                                      : jsonx_text(r->a, v);
    }
    act(r, id, id, s->stmt, n, p, s->action, 200);
}

const struct problem *doc_approve_one(struct req *r, int64_t doc_id, const char *note, const char *if_match,
                                      const char **detail, json_t **document)
{
    const char *p[3] = { req_id_text(r, r->user_id), req_id_text(r, doc_id), note };
    struct step_run s = { r, doc_id, DB_STMT(DOC_APPROVE, 3), 3, p, "document.approve", 200, doc_id, if_match,
                          false, true };
    if (!db_transaction(&r->c, step_tx, &s)) {
        return problem_of_db_failure(&r->c, r->lang_en, detail);
    }
    if (!s.precondition_failed)
        return NULL;
    PGresult *cur = DB_RUN(&r->c, DOC_DETAIL, req_id_text(r, doc_id), req_id_text(r, r->user_id));
    if (cur && PQntuples(cur) == 1)
        *document = json_loads(PQgetvalue(cur, 0, 0), 0, NULL);
    *detail = SAY(r, "văn bản đã thay đổi so với phiên bản bạn đã xem (etag); hãy xem document rồi quyết định lại", "the document has changed since the version you saw (etag); see document, then decide again");
    return problem_get(PROBLEM_PRECONDITION_FAILED);
}
