/* PostgreSQL: one connection per thread, opened lazily; every statement
 * comes from the program's one list (sql/statements.def), prepared on a
 * connection the first time it is used there, and called by its enum with
 * DB_RUN, which refuses at compile time a statement that does not exist or
 * the wrong number of parameters. A statement that does not answer within
 * cfg.pg_timeout_ms drops the connection; the next call opens a new one.
 *
 * Transactions: only this layer commits. Work that must run before the
 * COMMIT (inside the transaction) or after it (dropping cache keys, waking
 * a daemon) registers a hook on the context. */
#ifndef QLVB_DB_H
#define QLVB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "ctx.h"

struct db_statement {
    const char *name;
    int nparams;
    const char *sql;
};

/* The runtime's statements, first in every program's list. */
enum {
#define STMT(name, n, sql) STMT_##name,
#include "statements.def"
#undef STMT
    STMT_RUNTIME_COUNT
};
enum {
#define STMT(name, n, sql) STMT_##name##_ARGC = n,
#include "statements.def"
#undef STMT
};

/* The program's whole list (runtime rows first); n rows. Set once, before
 * any thread starts. */
void db_use_statements(const struct db_statement *list, int n);
/* The connection string (default cfg.database_url); before any thread starts. */
void db_use_url(const char *conninfo, const char *application_name);

/* Runs statement id with n parameters. Returns the result (released with
 * the context's arena), or NULL with c->db_down or c->sqlstate set. Use
 * DB_RUN / DB_RUN0, which check the statement and its arity. */
PGresult *db_exec(struct ctx *c, int id, int n, const char *const *params);

#define DB_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N
#define DB_NARGS(...) DB_NARGS_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
/* A compile-time check usable in an expression: 0 when cond holds. */
#define DB_STATIC_CHECK(cond, msg) (0 * sizeof(struct { _Static_assert(cond, msg); int x_; }))
/* The statement's enum, checked to take n parameters. */
#define DB_STMT(S, n) (STMT_##S + (int)DB_STATIC_CHECK(STMT_##S##_ARGC == (n), \
                                                       "statement " #S " takes another number of parameters"))
#define DB_RUN(c, S, ...) \
    db_exec((c), DB_STMT(S, DB_NARGS(__VA_ARGS__)), DB_NARGS(__VA_ARGS__), (const char *const[]){ __VA_ARGS__ })
#define DB_RUN0(c, S) db_exec((c), DB_STMT(S, 0), 0, NULL)
/* With the parameters in an array (not a pointer) of exactly the arity. */
#define DB_RUNA(c, S, arr)                                                                        \
    db_exec((c),                                                                                  \
            DB_STMT(S, sizeof(arr) / sizeof((arr)[0])) +                                          \
                (int)DB_STATIC_CHECK(!__builtin_types_compatible_p(__typeof__(arr), __typeof__(&(arr)[0])), \
                                     "DB_RUNA takes an array"),                                   \
            (int)(sizeof(arr) / sizeof((arr)[0])), (arr))

/* Listens on the thread's connection (listen_sql: a constant LISTEN
 * statement; utility statements cannot be prepared), again on each new
 * connection. False when PostgreSQL is down. */
bool db_listen(struct ctx *c, const char *listen_sql);
/* Waits up to timeout_ms for a notification on the listening connection;
 * true when one came (every one that came is consumed). */
bool db_wait_notify(int timeout_ms);

/* Runs a script of several statements without parameters (a migration, the
 * SQL functions), as one unit. False with c->sqlmsg set on failure. */
bool db_exec_script(struct ctx *c, const char *sql);

bool db_begin(struct ctx *c);
/* Runs the before-commit hooks, commits, then the after-commit hooks. */
bool db_commit(struct ctx *c);
/* Rolls back an open transaction; its hooks are dropped. */
void db_rollback(struct ctx *c);

/* Runs fn(c, arg) in a transaction and commits it. When it fails
 * transiently (db_failed_transiently), it is rolled back and run once more,
 * from the start: fn must do nothing outside the database but through
 * after-commit hooks (which it registers each time). False with the failure
 * in c; the transaction is then rolled back. */
bool db_transaction(struct ctx *c, bool (*fn)(struct ctx *c, void *arg), void *arg);

/* fn(c, arg) inside the transaction, just before COMMIT; false aborts it. */
void db_before_commit(struct ctx *c, bool (*fn)(struct ctx *c, void *arg), void *arg);
/* fn(c, arg) once the transaction has committed. */
void db_after_commit(struct ctx *c, void (*fn)(struct ctx *c, void *arg), void *arg);

/* True when this thread can reach PostgreSQL now. */
bool db_ping(struct ctx *c);
/* Closes this thread's connection (at thread end). */
void db_close(void);

/* Helpers to read a result. */
const char *db_val(PGresult *res, int row, int col);    /* NULL for SQL NULL */
long long db_ll(PGresult *res, int row, int col);
bool db_bool(PGresult *res, int row, int col);

/* The last failure was transient (a deadlock, a serialization failure, a
 * lock or statement timeout): the whole transaction, run again, may pass. */
bool db_failed_transiently(const struct ctx *c);

#define DB_UNIQUE_VIOLATION "23505"

#endif
