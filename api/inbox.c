/* The inbox: see inbox.h. Items are written when work reaches someone (the
 * workflow functions call inbox_put); reading is one indexed query built
 * into JSON by PostgreSQL. Each user's inbox has a version bumped by every
 * change, which makes the ETag of a page: a phone polling with
 * If-None-Match gets 304 after one primary-key lookup. */
#include "inbox.h"
#include "audit.h"
#include "cursor.h"
#include "documents.h"
#include "schemas.h"
#include "validate.h"
#include "../cache/inbox_cache.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INBOX_LIMIT_MAX 100
#define INBOX_LIMIT_DEFAULT 20

static const char *const boxes[] = { "process", "approve", "info", "done", NULL };

static bool flag_or_answer(struct req *r, const char *name, const char **out)
{
    const char *v = req_query(r, name);
    if (!v || strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        *out = "false";
        return true;
    }
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || *v == '\0') {
        *out = "true";
        return true;
    }
    resp_problem(r, PROBLEM_INVALID_PARAMETER, arena_sprintf(r->a, SAY(r, "%s phải là true hoặc false", "%s must be true or false"), name));
    return false;
}

void inbox_list(struct req *r)
{
    const char *box = req_query(r, "box");
    if (!box)
        box = "process";
    bool ok = false;
    for (const char *const *b = boxes; *b; b++)
        ok |= strcmp(*b, box) == 0;
    if (!ok) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "box là process, approve, info hoặc done", "box must be process, approve, info or done"));
        return;
    }
    const char *unread, *urgent, *overdue, *ts = NULL, *cid = NULL;
    if (!flag_or_answer(r, "unread", &unread) || !flag_or_answer(r, "urgent", &urgent) || !flag_or_answer(r, "overdue", &overdue))
        return;
    const char *cur = req_query(r, "cursor");
    if (cur && !cursor_parse(r->a, cur, &ts, &cid)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "cursor không phải do API này cấp", "cursor is not one this API gave"));
        return;
    }
    int limit;
    if (!limit_or_answer(r, INBOX_LIMIT_DEFAULT, INBOX_LIMIT_MAX, &limit))
        return;
    const char *uid = arena_sprintf(r->a, "%lld", (long long)r->user_id);
    /* the inbox's state (from Redis while it is current: its version, how
     * many items are past their deadline) and the exact page asked for make
     * the ETag: it changes with every change a page shows, and when a
     * deadline passes */
    unsigned long h = 5381;
    for (const char *q = r->query ? r->query : ""; *q; q++)
        h = h * 33 + (unsigned char)*q;
    const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");
    struct inbox_state st;
    if (!inbox_cache_state(&r->c, r->user_id, &st)) {
        resp_problem_db(r);
        return;
    }
    const char *etag = arena_sprintf(r->a, "\"i%s-%lld-%lld-%lx\"", uid, st.version, st.crossed, h);
    resp_header(r, "ETag", etag);
    r->cache_control = "private, no-cache";
    if (inm && http_etag_matches(inm, etag)) {
        resp_raw(r, 304, NULL, NULL, 0);
        return;
    }
    const char *p[8] = { uid, box, unread, urgent, overdue, ts, cid, arena_sprintf(r->a, "%d", limit) };
    PGresult *res = DB_RUNA(&r->c, INBOX_LIST, p);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, 200, body);
}

#define CHANGES_LIMIT_MAX 500
#define CHANGES_LIMIT_DEFAULT 200

void inbox_changes(struct req *r)
{
    const char *since = req_query(r, "since");
    int limit;
    if (!limit_or_answer(r, CHANGES_LIMIT_DEFAULT, CHANGES_LIMIT_MAX, &limit))
        return;
    if (since && (!*since || strlen(since) > 200)) {
        resp_problem(r, PROBLEM_SYNC_TOKEN_EXPIRED, SAY(r, "since không phải token do API này cấp: hãy tải lại hộp việc", "since is not a token this API gave: reload the inbox"));
        return;
    }
    const char *p[3] = { req_id_text(r, r->user_id), since, arena_sprintf(r->a, "%d", limit) };
    PGresult *res = DB_RUNA(&r->c, INBOX_CHANGES, p);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQgetisnull(res, 0, 0)) {
        resp_problem(r, PROBLEM_SYNC_TOKEN_EXPIRED,
                     SAY(r, "token đồng bộ này không rõ hoặc cũ hơn 30 ngày thay đổi được lưu: hãy lấy token mới "
                            "(gọi không có since), rồi tải lại hộp việc từng trang và đồng bộ từ token đó",
                         "this sync token is unknown or older than the 30 days of changes kept: take a new token "
                         "(a call without since), then reload the inbox page by page and sync from that token"));
        return;
    }
    r->cache_control = "private, no-store";
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, 200, body);
}

void inbox_counts(struct req *r)
{
    const char *uid = arena_sprintf(r->a, "%lld", (long long)r->user_id);
    PGresult *res = DB_RUN(&r->c, INBOX_COUNTS, uid);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, 200, body);
}

struct read_run {
    struct req *r;
    const char *item_id;
    int64_t document_id;
};

static bool read_tx(struct ctx *c, void *arg)
{
    struct read_run *run = arg;
    inbox_cache_track(c);
    return DB_RUN(c, INBOX_READ, run->item_id, req_id_text(run->r, run->r->user_id)) &&
           audit(run->r, run->r->user_id, "inbox.read", "document", run->document_id, NULL);
}

/* Each item is acted on by itself and answered by itself. */
void inbox_batch(struct req *r)
{
    json_t *b = body_valid_or_answer(r, schema_batch);
    if (!b)
        return;
    const char *action = json_string_value(json_object_get(b, "action"));
    const char *note = json_string_value(json_object_get(b, "note"));
    const char *uid = arena_sprintf(r->a, "%lld", (long long)r->user_id);
    /* the items by id, or with the ETag of their document as the client saw
     * it: a document that has moved on since is not acted on (412) */
    json_t *ids = json_object_get(b, "item_ids"), *with_etags = json_object_get(b, "items");
    if (json_is_null(ids))
        ids = NULL;                    /* null is absent, as everywhere */
    if (json_is_null(with_etags))
        with_etags = NULL;
    if ((ids == NULL) == (with_etags == NULL)) {
        resp_problem_at(r, PROBLEM_INVALID_FIELD, "/item_ids", ids ? "value" : "required",
                        SAY(r, "hãy gửi item_ids hoặc items (mỗi mục kèm etag của nó)",
                            "give either item_ids or items (each with its etag)"));
        return;
    }
    json_t *results = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(ids ? ids : with_etags, i, it) {
        int64_t item_id = json_integer_value(ids ? it : json_object_get(it, "id"));
        const char *etag = ids ? NULL : json_string_value(json_object_get(it, "etag"));
        const char *iid = req_id_text(r, item_id);
        json_t *one = json_object(), *document = NULL;
        json_object_set_new(one, "item_id", json_integer(item_id));
        const struct problem *failed = NULL;
        const char *detail = NULL;
        const char *p[2] = { iid, uid };
        PGresult *item = DB_RUNA(&r->c, INBOX_ITEM, p);
        if (!item) {
            failed = problem_of_db_failure(&r->c, r->lang_en, &detail);
        } else if (PQntuples(item) != 1) {
            failed = problem_get(PROBLEM_ITEM_NOT_FOUND);
            detail = SAY(r, "hộp việc của bạn không có mục này", "no such item in your inbox");
        } else if (strcmp(action, "read") == 0) {
            struct read_run run = { r, p[0], db_ll(item, 0, 0) };
            if (!db_transaction(&r->c, read_tx, &run))
                failed = problem_of_db_failure(&r->c, r->lang_en, &detail);
        } else if (strcmp(PQgetvalue(item, 0, 1), "approve") != 0) {
            failed = problem_get(PROBLEM_WRONG_STATE);
            detail = SAY(r, "mục này không chờ bạn duyệt", "the item is not waiting for your approval");
        } else {
            failed = doc_approve_one(r, db_ll(item, 0, 0), note, etag, &detail, &document);
        }
        json_object_set_new(one, "status", json_integer(failed ? failed->status : 200));
        if (failed) {
            json_t *ext = NULL;
            if (document) {
                ext = json_object();
                json_object_set_new(ext, "document", document);
            }
            json_object_set_new(one, "problem", problem_json(failed, detail, NULL, NULL, ext, r->lang_en));
        }
        json_array_append_new(results, one);
    }
    json_t *o = json_object();
    json_object_set_new(o, "results", results);
    /* the items' own answers set headers (a document's ETag): not the batch's */
    r->hdrs.len = 0;
    r->cache_control = NULL;
    resp_json(r, 200, o);
}
