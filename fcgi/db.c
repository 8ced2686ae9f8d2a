/* PostgreSQL access: see db.h. */
#include "db.h"
#include "config.h"
#include "http.h"
#include "log.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

static __thread PGconn *conn;
static __thread long long retry_after_us;    /* no connect attempt before this */
static __thread long long conn_used_by;   /* start time of the last request using it */

#define RECONNECT_PAUSE_US 1000000
#define SLOW_CONNECT_US 200000

static void drop(const char *rid, const char *why)
{
    if (conn) {
        log_warn(rid, "msg=\"postgresql connection dropped\" reason=\"%s\"", why);
        PQfinish(conn);
        conn = NULL;
    }
}

static bool prepare_all(const char *rid)
{
    for (const struct db_statement *s = db_statements; s->name; s++) {
        PGresult *res = PQprepare(conn, s->name, s->sql, 0, NULL);
        bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            log_error(rid, "msg=\"prepare failed\" statement=%s error=\"%s\"", s->name,
                      res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "no result");
        PQclear(res);
        if (!ok)
            return false;
    }
    return true;
}

static bool ensure(struct req *r)
{
    if (conn)
        return true;
    if (now_us() < retry_after_us)
        return false;
    char timeout[64], opts[160];
    snprintf(timeout, sizeof timeout, "%d", cfg.pg_timeout_ms / 1000 > 2 ? 2 : 1);
    snprintf(opts, sizeof opts,
             "-c statement_timeout=%d -c lock_timeout=%d -c idle_in_transaction_session_timeout=%d"
             " -c TimeZone=Asia/Ho_Chi_Minh",
             cfg.pg_timeout_ms, cfg.pg_timeout_ms, cfg.pg_timeout_ms * 2);
    const char *keys[] = { "dbname", "connect_timeout", "keepalives", "keepalives_idle",
                           "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                           "options", "application_name", NULL };
    const char *vals[] = { cfg.database_url, timeout, "1", "5", "2", "2", "5000",
                           opts, "qlvb-api", NULL };
    long long t0 = now_us();
    conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        log_warn(r->request_id, "msg=\"postgresql connect failed\" error=\"%.200s\"",
                 strtok(PQerrorMessage(conn), "\n"));
        PQfinish(conn);
        conn = NULL;
        /* a refused connection costs nothing to retry; a slow failure
         * (a host that does not answer) is not retried for a while */
        if (now_us() - t0 > SLOW_CONNECT_US)
            retry_after_us = now_us() + RECONNECT_PAUSE_US;
        return false;
    }
    if (!prepare_all(r->request_id)) {
        drop(r->request_id, "prepare failed");
        return false;
    }
    return true;
}

static void release_result(void *p)
{
    PQclear(p);
}

/* Sends a prepared statement and waits for its result at most the timeout. */
static PGresult *exec_timed(struct req *r, const char *name, int n, const char *const *params)
{
    if (!PQsendQueryPrepared(conn, name, n, params, NULL, NULL, 0))
        return NULL;
    long long deadline = now_us() + (long long)cfg.pg_timeout_ms * 1000 + 1000000;
    while (PQisBusy(conn)) {
        long long left = (deadline - now_us()) / 1000;
        if (left <= 0) {
            log_warn(r->request_id, "msg=\"postgresql timeout\" statement=%s", name);
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

PGresult *db_exec(struct req *r, const char *name, int nparams, const char *const *params)
{
    r->sqlstate = NULL;
    r->sqlmsg = NULL;
    if (!ensure(r)) {
        r->db_down = true;
        return NULL;
    }
    /* A connection idle since an earlier request may have been closed by a
     * server restart; the first statement of a request on it is retried
     * once on a new connection. Later ones are not: they may have run. */
    bool may_retry = conn_used_by != r->t0_us && !r->in_tx;
    conn_used_by = r->t0_us;
    PGresult *res = exec_timed(r, name, nparams, params);
    if ((!res || PQstatus(conn) != CONNECTION_OK) && may_retry) {
        PQclear(res);
        drop(r->request_id, "idle connection found closed");
        if (!ensure(r)) {
            r->db_down = true;
            return NULL;
        }
        res = exec_timed(r, name, nparams, params);
    }
    if (!res || PQstatus(conn) != CONNECTION_OK) {
        PQclear(res);
        drop(r->request_id, "statement failed on the connection");
        r->db_down = true;
        r->in_tx = false;
        return NULL;
    }
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        r->sqlstate = arena_strdup(r->a, state ? state : "XX000");
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        r->sqlmsg = arena_strdup(r->a, msg ? msg : "statement failed");
        /* 57P01 admin shutdown, 08xxx connection exceptions: the server is going */
        if (strncmp(r->sqlstate, "08", 2) == 0 || strncmp(r->sqlstate, "57P", 3) == 0) {
            r->db_down = true;
            drop(r->request_id, "server is shutting down");
        } else if (strcmp(r->sqlstate, DB_UNIQUE_VIOLATION) != 0 && strncmp(r->sqlstate, "QV", 2) != 0 &&
                   strncmp(r->sqlstate, "22", 2) != 0) {
            log_error(r->request_id, "msg=\"statement failed\" statement=%s sqlstate=%s error=\"%.200s\"",
                      name, r->sqlstate, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
        }
        PQclear(res);
        return NULL;
    }
    arena_defer(r->a, release_result, res);
    return res;
}

PGresult *db_exec_row(struct req *r, const char *name, int nparams, const char *const *params)
{
    PGresult *res = db_exec(r, name, nparams, params);
    return res && PQntuples(res) == 1 ? res : NULL;
}

bool db_begin(struct req *r)
{
    if (!db_exec(r, "begin", 0, NULL))
        return false;
    r->in_tx = true;
    return true;
}

bool db_commit(struct req *r)
{
    r->in_tx = false;
    return db_exec(r, "commit", 0, NULL) != NULL;
}

void db_rollback(struct req *r)
{
    if (!r->in_tx)
        return;
    r->in_tx = false;
    if (conn)
        db_exec(r, "rollback", 0, NULL);
}

bool db_ping(struct req *r)
{
    PGresult *res = db_exec(r, "health", 0, NULL);
    return res != NULL;
}

void db_close(void)
{
    if (conn)
        PQfinish(conn);
    conn = NULL;
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
