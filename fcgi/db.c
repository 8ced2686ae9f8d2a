/* PostgreSQL access: see db.h. */
#include "db.h"
#include "arena.h"
#include "config.h"
#include "log.h"

#include <poll.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

struct ctx_hook {
    struct ctx_hook *next;
    union {
        bool (*before)(struct ctx *c, void *arg);
        void (*after)(struct ctx *c, void *arg);
    } fn;
    void *arg;
};

static const struct db_statement *statements;
static int statement_count;
static const char *conninfo;
static const char *app_name = "qlvb";

static __thread PGconn *conn;
static __thread unsigned char *prepared;     /* per statement: prepared on conn */
static __thread long long retry_after_us;    /* no connect attempt before this */
static __thread long long conn_used_by;      /* start of the last unit using it */
static __thread unsigned conn_gen;            /* which connection this is, since the thread began */
static __thread unsigned listen_gen;          /* the connection LISTEN last ran on */

#define RECONNECT_PAUSE_US 1000000
#define SLOW_CONNECT_US 200000

void db_use_statements(const struct db_statement *list, int n)
{
    statements = list;
    statement_count = n;
}

void db_use_url(const char *url, const char *application_name)
{
    conninfo = url;
    app_name = application_name;
}

static void drop(const char *rid, const char *why)
{
    if (conn) {
        log_warn(rid, "msg=\"postgresql connection dropped\" reason=\"%s\"", why);
        PQfinish(conn);
        conn = NULL;
    }
}

/* The length of the first line of a libpq message, for a log line. */
static int first_line(const char *msg)
{
    size_t n = strcspn(msg, "\n");
    return n > 200 ? 200 : (int)n;
}

static bool ensure(struct ctx *c)
{
    if (conn)
        return true;
    if (now_us() < retry_after_us)
        return false;
    char timeout[64], opts[200];
    snprintf(timeout, sizeof timeout, "%d", cfg.pg_timeout_ms / 1000 > 2 ? 2 : 1);
    snprintf(opts, sizeof opts,
             "-c statement_timeout=%d -c lock_timeout=%d -c idle_in_transaction_session_timeout=%d"
             " -c TimeZone=Asia/Ho_Chi_Minh",
             cfg.pg_timeout_ms, cfg.pg_timeout_ms, cfg.pg_timeout_ms * 2);
    const char *keys[] = { "dbname", "connect_timeout", "keepalives", "keepalives_idle",
                           "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                           "options", "application_name", NULL };
    const char *vals[] = { conninfo ? conninfo : cfg.database_url, timeout, "1", "5", "2", "2", "5000",
                           opts, app_name, NULL };
    long long t0 = now_us();
    conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(conn);
        log_warn(c->request_id, "msg=\"postgresql connect failed\" error=\"%.*s\"", first_line(msg), msg);
        PQfinish(conn);
        conn = NULL;
        /* a refused connection costs nothing to retry; a slow failure
         * (a host that does not answer) is not retried for a while */
        if (now_us() - t0 > SLOW_CONNECT_US)
            retry_after_us = now_us() + RECONNECT_PAUSE_US;
        return false;
    }
    if (!prepared)
        prepared = calloc((size_t)statement_count, 1);
    if (!prepared) {
        drop(c->request_id, "out of memory");
        return false;
    }
    memset(prepared, 0, (size_t)statement_count);
    conn_gen++;
    return true;
}

bool db_listen(struct ctx *c, const char *listen_sql)
{
    if (!ensure(c)) {
        c->db_down = true;
        return false;
    }
    if (listen_gen == conn_gen)
        return true;
    PGresult *r = PQexec(conn, listen_sql);
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        drop(c->request_id, "LISTEN failed");
        return false;
    }
    listen_gen = conn_gen;
    return true;
}

bool db_wait_notify(int timeout_ms)
{
    if (!conn || listen_gen != conn_gen) {
        usleep((useconds_t)timeout_ms * 1000);
        return false;
    }
    bool got = false;
    PGnotify *n;
    while ((n = PQnotifies(conn))) {    /* those that came with the last results */
        got = true;
        PQfreemem(n);
    }
    if (got)
        return true;
    struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN };
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return false;
    if (!PQconsumeInput(conn)) {
        drop(NULL, "connection lost while waiting for a notification");
        return false;
    }
    while ((n = PQnotifies(conn))) {
        got = true;
        PQfreemem(n);
    }
    return got;
}

static void release_result(void *p)
{
    PQclear(p);
}

/* Waits for the result of what was sent, at most the timeout. */
static PGresult *wait_result(struct ctx *c, const char *name)
{
    long long deadline = now_us() + (long long)cfg.pg_timeout_ms * 1000 + 1000000;
    while (PQisBusy(conn)) {
        long long left = (deadline - now_us()) / 1000;
        if (left <= 0) {
            log_warn(c->request_id, "msg=\"postgresql timeout\" statement=%s", name);
            return NULL;
        }
        struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0)
            continue;
        if (pr > 0 && !PQconsumeInput(conn))
            return NULL;
    }
    PGresult *res = PQgetResult(conn), *extra;
    while ((extra = PQgetResult(conn)))
        PQclear(extra);
    return res;
}

/* Prepares statement id on this connection if it is not yet. */
static PGresult *prepare(struct ctx *c, int id)
{
    const struct db_statement *s = &statements[id];
    if (!PQsendPrepare(conn, s->name, s->sql, s->nparams, NULL))
        return NULL;
    PGresult *res = wait_result(c, s->name);
    if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        prepared[id] = 1;
        return NULL;
    }
    return res ? res : PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
}

static PGresult *exec_timed(struct ctx *c, int id, int n, const char *const *params)
{
    if (!prepared[id]) {
        PGresult *failed = prepare(c, id);
        if (failed || !prepared[id])
            return failed;
    }
    if (!PQsendQueryPrepared(conn, statements[id].name, n, params, NULL, NULL, 0))
        return NULL;
    return wait_result(c, statements[id].name);
}

PGresult *db_exec(struct ctx *c, int id, int nparams, const char *const *params)
{
    c->sqlstate = NULL;
    c->sqlmsg = NULL;
    c->sqlmsg_vi = NULL;
    c->sqlpointer = NULL;
    if (!statements || id < 0 || id >= statement_count || statements[id].nparams != nparams) {
        log_error(c->request_id, "msg=\"no such statement\" id=%d", id);
        c->sqlstate = "XX000";
        c->sqlmsg = "no such statement";
        return NULL;
    }
    if (!ensure(c)) {
        c->db_down = true;
        return NULL;
    }
    /* A connection idle since an earlier unit may have been closed by a
     * server restart; the first statement of a unit on it is retried once
     * on a new connection. Later ones are not: they may have run. */
    bool may_retry = conn_used_by != c->t0_us && !c->in_tx;
    conn_used_by = c->t0_us;
    PGresult *res = exec_timed(c, id, nparams, params);
    if ((!res || PQstatus(conn) != CONNECTION_OK) && may_retry) {
        PQclear(res);
        drop(c->request_id, "idle connection found closed");
        if (!ensure(c)) {
            c->db_down = true;
            return NULL;
        }
        res = exec_timed(c, id, nparams, params);
    }
    if (!res || PQstatus(conn) != CONNECTION_OK) {
        PQclear(res);
        drop(c->request_id, "statement failed on the connection");
        c->db_down = true;
        c->in_tx = false;
        return NULL;
    }
    /* released with the arena from here, even if the arena leaves at its limit */
    arena_defer(c->a, release_result, res);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        c->sqlstate = arena_strdup(c->a, state ? state : "XX000");
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        c->sqlmsg = arena_strdup(c->a, msg ? msg : "statement failed");
        /* a problem of the registry says itself in Vietnamese in its DETAIL */
        bool ours = strncmp(c->sqlstate, "QP", 2) == 0;
        const char *vi = ours ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
        const char *ptr = ours ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
        c->sqlmsg_vi = vi && *vi ? arena_strdup(c->a, vi) : NULL;
        c->sqlpointer = ptr && *ptr ? arena_strdup(c->a, ptr) : NULL;
        /* 57P01 admin shutdown, 08xxx connection exceptions: the server is going */
        if (strncmp(c->sqlstate, "08", 2) == 0 || strncmp(c->sqlstate, "57P", 3) == 0) {
            c->db_down = true;
            drop(c->request_id, "server is shutting down");
        } else if (db_failed_transiently(c)) {
            log_warn(c->request_id, "msg=\"statement failed transiently\" statement=%s sqlstate=%s",
                     statements[id].name, c->sqlstate);
        } else if (strcmp(c->sqlstate, DB_UNIQUE_VIOLATION) != 0 && strncmp(c->sqlstate, "QP", 2) != 0 &&
                   strncmp(c->sqlstate, "22", 2) != 0) {
            log_error(c->request_id, "msg=\"statement failed\" statement=%s sqlstate=%s error=\"%.200s\"",
                      statements[id].name, c->sqlstate, c->sqlmsg);
        }
        return NULL;
    }
    return res;
}

bool db_exec_script(struct ctx *c, const char *sql)
{
    c->sqlstate = NULL;
    c->sqlmsg = NULL;
    if (!ensure(c)) {
        c->db_down = true;
        c->sqlmsg = "the database cannot be reached";
        return false;
    }
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        c->sqlstate = arena_strdup(c->a, state ? state : "XX000");
        c->sqlmsg = arena_strdup(c->a, PQresultErrorMessage(res));
    }
    PQclear(res);
    return ok;
}

static void hooks_clear(struct ctx *c)
{
    c->before_commit = NULL;
    c->after_commit = NULL;
}

bool db_begin(struct ctx *c)
{
    hooks_clear(c);
    if (!DB_RUN0(c, BEGIN))
        return false;
    c->in_tx = true;
    return true;
}

/* Hooks run in the order they were added. */
static void hook_add(struct ctx_hook **list, struct ctx_hook *h)
{
    while (*list)
        list = &(*list)->next;
    *list = h;
}

void db_before_commit(struct ctx *c, bool (*fn)(struct ctx *c, void *arg), void *arg)
{
    struct ctx_hook *h = arena_calloc(c->a, 1, sizeof *h);
    h->fn.before = fn;
    h->arg = arg;
    hook_add(&c->before_commit, h);
}

void db_after_commit(struct ctx *c, void (*fn)(struct ctx *c, void *arg), void *arg)
{
    struct ctx_hook *h = arena_calloc(c->a, 1, sizeof *h);
    h->fn.after = fn;
    h->arg = arg;
    hook_add(&c->after_commit, h);
}

bool db_commit(struct ctx *c)
{
    for (struct ctx_hook *h = c->before_commit; h; h = h->next)
        if (!h->fn.before(c, h->arg)) {
            db_rollback(c);
            return false;
        }
    struct ctx_hook *after = c->after_commit;
    hooks_clear(c);
    c->in_tx = false;
    if (!DB_RUN0(c, COMMIT))
        return false;
    for (struct ctx_hook *h = after; h; h = h->next)
        h->fn.after(c, h->arg);
    return true;
}

void db_rollback(struct ctx *c)
{
    hooks_clear(c);
    if (!c->in_tx)
        return;
    c->in_tx = false;
    if (conn) {
        const char *state = c->sqlstate, *msg = c->sqlmsg, *msg_vi = c->sqlmsg_vi, *ptr = c->sqlpointer;
        DB_RUN0(c, ROLLBACK);
        c->sqlstate = state;       /* the failure that led here stays the one to answer */
        c->sqlmsg = msg;
        c->sqlmsg_vi = msg_vi;
        c->sqlpointer = ptr;
    }
}

bool db_transaction(struct ctx *c, bool (*fn)(struct ctx *c, void *arg), void *arg)
{
    for (int attempt = 0;; attempt++) {
        if (db_begin(c) && fn(c, arg) && db_commit(c))
            return true;
        db_rollback(c);
        if (attempt > 0 || !db_failed_transiently(c))
            return false;
        log_warn(c->request_id, "msg=\"transaction retried\" sqlstate=%s", c->sqlstate);
    }
}

bool db_ping(struct ctx *c)
{
    return DB_RUN0(c, HEALTH) != NULL;
}

void db_close(void)
{
    if (conn)
        PQfinish(conn);
    conn = NULL;
    free(prepared);
    prepared = NULL;
}

const char *db_val(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

long long db_ll(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool db_bool(PGresult *res, int row, int col)
{
    return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

bool db_failed_transiently(const struct ctx *c)
{
    static const char *const transient[] = { "40P01", "40001", "55P03", "57014", NULL };
    for (const char *const *t = transient; c->sqlstate && *t; t++)
        if (strcmp(c->sqlstate, *t) == 0)
            return true;
    return false;
}
