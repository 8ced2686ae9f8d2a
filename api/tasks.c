/* Tasks: see tasks.h. */
#include "tasks.h"
#include "audit.h"
#include "idempotency.h"
#include "schemas.h"
#include "validate.h"
#include "../cache/inbox_cache.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/jsonx.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <stdlib.h>
#include <string.h>

#define TASKS_LIMIT_MAX 100
#define TASKS_LIMIT_DEFAULT 20

struct task_step {
    int stmt;                     /* takes (user, task, the arg) */
    int nargs;                    /* 1 or 2 */
    const char *action;           /* its audit name */
    const struct field *fields;
    const char *arg;              /* the body field passed, or NULL: the whole body as JSON */
    const char *arg2;             /* a second field, or NULL */
};

const struct task_step task_step_progress = { DB_STMT(TASK_PROGRESS, 3), 1, "task.progress", schema_task_progress,
                                              NULL, NULL };
const struct task_step task_step_complete = { DB_STMT(TASK_COMPLETE, 3), 1, "task.completed", schema_task_note,
                                              "note", NULL };
const struct task_step task_step_confirm = { DB_STMT(TASK_CONFIRM, 3), 1, "task.confirmed", schema_task_note,
                                             "note", NULL };
const struct task_step task_step_return = { DB_STMT(TASK_RETURN, 3), 1, "task.returned", schema_task_return,
                                            "note", NULL };
const struct task_step task_step_extension = { DB_STMT(TASK_EXTENSION_ASK, 3), 1, "task.extension_asked",
                                               schema_task_extension, NULL, NULL };
const struct task_step task_step_decide = { DB_STMT(TASK_EXTENSION_DECIDE, 4), 2, "task.extension_decided",
                                            schema_task_decision, "grant", "note" };

static bool path_id_or_answer(struct req *r, int64_t *id)
{
    if (req_param_id(r, "id", id))
        return true;
    resp_problem(r, PROBLEM_TASK_NOT_FOUND, SAY(r, "không có nhiệm vụ này", "no such task"));
    return false;
}

/* Answers with the task as the caller sees it, with its ETag (res:
 * TASK_GET), or 404. */
static void answer_task(struct req *r, PGresult *res, int status)
{
    if (PQntuples(res) != 1) {
        resp_problem(r, PROBLEM_TASK_NOT_FOUND, SAY(r, "không có nhiệm vụ này", "no such task"));
        return;
    }
    r->hdrs.len = 0;
    const char *etag = arena_strdup(r->a, PQgetvalue(res, 0, 1));
    resp_header(r, "ETag", etag);
    r->cache_control = "private, no-cache";
    const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");
    if (status == 200 && inm && http_etag_matches(inm, etag)) {
        resp_raw(r, 304, NULL, NULL, 0);
        return;
    }
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, status, body);
}

struct task_run {
    struct req *r;
    int64_t id;                   /* 0: the statement returns the new task's id */
    int stmt, n;
    const char *const *params;
    const char *action;
    int status;
    const char *if_match;
    bool precondition_failed;
};

/* With If-Match: locks the task, then reads its tag in a statement of its
 * own; on a mismatch answers 412 with the task as it now is. */
static bool precondition_tx(struct ctx *c, struct task_run *t)
{
    struct req *r = t->r;
    const char *id = req_id_text(r, t->id);
    PGresult *locked = DB_RUN(c, TASK_LOCK, id, req_id_text(r, r->user_id));
    if (!locked)
        return false;
    if (PQntuples(locked) != 1)
        return true;                   /* an unseen task is refused by the step itself */
    PGresult *cur = DB_RUN(c, TASK_ETAG_NOW, id);
    if (!cur)
        return false;
    if (PQntuples(cur) != 1 || http_etag_matches(t->if_match, PQgetvalue(cur, 0, 0)))
        return true;
    PGresult *now = DB_RUN(c, TASK_GET, id, req_id_text(r, r->user_id));
    if (!now)
        return false;
    json_t *ext = json_object();
    json_object_set_new(ext, "task", json_loads(PQgetvalue(now, 0, 0), 0, NULL));
    resp_problem_ext(r, PROBLEM_PRECONDITION_FAILED,
                     SAY(r, "nhiệm vụ đã thay đổi so với phiên bản bạn đã xem (If-Match); hãy xem task rồi quyết định lại",
                         "the task has changed since the version you saw (If-Match); see task, then decide again"),
                     ext);
    resp_header(r, "ETag", arena_strdup(r->a, PQgetvalue(now, 0, 1)));
    t->precondition_failed = true;
    return true;
}

/* One step in its transaction: If-Match, the statement, the audit row,
 * the task as it now is, kept with the Idempotency-Key. */
static bool task_tx(struct ctx *c, void *arg)
{
    struct task_run *t = arg;
    struct req *r = t->r;
    t->precondition_failed = false;
    if (t->if_match && t->id) {
        if (!precondition_tx(c, t))
            return false;
        if (t->precondition_failed)
            return true;
    }
    inbox_cache_track(c);
    PGresult *res = db_exec(c, t->stmt, t->n, t->params);
    if (!res)
        return false;
    int64_t id = t->id ? t->id : db_ll(res, 0, 0);
    if (!audit(r, r->user_id, t->action, "task", id, NULL))
        return false;
    PGresult *now = DB_RUN(c, TASK_GET, req_id_text(r, id), req_id_text(r, r->user_id));
    if (!now)
        return false;
    answer_task(r, now, t->status);
    return idem_keep_or_fail(r, c);
}

static void run(struct req *r, struct task_run *t)
{
    t->r = r;
    t->if_match = req_env(r, "HTTP_IF_MATCH");
    if (!db_transaction(&r->c, task_tx, t))
        resp_problem_db(r);
}

void tasks_create(struct req *r)
{
    json_t *b = body_valid_or_answer(r, schema_task);
    if (!b)
        return;
    const char *p[2] = { req_id_text(r, r->user_id), jsonx_text(r->a, b) };
    struct task_run t = { .stmt = DB_STMT(TASK_CREATE, 2), .n = 2, .params = p, .action = "task.created",
                          .status = 201 };
    run(r, &t);
}

void tasks_get(struct req *r)
{
    int64_t id;
    if (!path_id_or_answer(r, &id))
        return;
    PGresult *res = DB_RUN(&r->c, TASK_GET, req_id_text(r, id), req_id_text(r, r->user_id));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    answer_task(r, res, 200);
}

void tasks_step(struct req *r)
{
    const struct task_step *s = r->match.route->data;
    int64_t id;
    json_t *b;
    if (!path_id_or_answer(r, &id) || !(b = body_valid_or_answer(r, s->fields)))
        return;
    const char *p[4] = { req_id_text(r, r->user_id), req_id_text(r, id) };
    const char *names[2] = { s->arg, s->arg2 };
    for (int i = 0; i < s->nargs; i++) {
        if (!names[i]) {
            p[2 + i] = jsonx_text(r->a, b);
            continue;
        }
        json_t *v = json_object_get(b, names[i]);
        p[2 + i] = !v || json_is_null(v) ? NULL
                 : json_is_string(v)    ? json_string_value(v)
                 : json_is_boolean(v)   ? (json_is_true(v) ? "true" : "false")
                                        : jsonx_text(r->a, v);
    }
    struct task_run t = { .id = id, .stmt = s->stmt, .n = 2 + s->nargs, .params = p, .action = s->action,
                          .status = 200 };
    run(r, &t);
}

void tasks_mine(struct req *r)
{
    static const char *const views[] = { "held", "assigned", NULL };
    static const char *const statuses[] = { "in_progress", "due_soon", "overdue", "done_on_time", "done_late",
                                            "no_deadline", NULL };
    const char *view = req_query(r, "view"), *status = req_query(r, "status"), *cur, *limit;
    bool ok = !view;
    for (const char *const *v = views; view && *v; v++)
        ok |= strcmp(*v, view) == 0;
    if (!ok) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "view là held hoặc assigned", "view is held or assigned"));
        return;
    }
    ok = !status;
    for (const char *const *v = statuses; status && *v; v++)
        ok |= strcmp(*v, status) == 0;
    if (!ok) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     SAY(r, "status là in_progress, due_soon, overdue, done_on_time, done_late hoặc no_deadline",
                         "status is in_progress, due_soon, overdue, done_on_time, done_late or no_deadline"));
        return;
    }
    if (!page_or_answer(r, TASKS_LIMIT_DEFAULT, TASKS_LIMIT_MAX, &cur, &limit))
        return;
    PGresult *res = DB_RUN(&r->c, MY_TASKS, req_id_text(r, r->user_id), view ? view : "held", status, cur, limit);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    r->cache_control = "private, no-cache";
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, 200, body);
}
