/* PostgreSQL: one connection per thread, opened lazily, every statement
 * prepared once per connection (from sql/statements.c) and called by name.
 * A statement that does not answer within cfg.pg_timeout_ms drops the
 * connection; the next call opens a new one. */
#ifndef QLVB_DB_H
#define QLVB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

struct req;

struct db_statement {
    const char *name;
    const char *sql;
};
extern const struct db_statement db_statements[];

/* Runs a prepared statement. Returns the result (released with the request)
 * when it succeeded, or NULL with r->db_down or r->sqlstate set. */
PGresult *db_exec(struct req *r, const char *name, int nparams, const char *const *params);
/* Same, for a statement that must return exactly one row: NULL when none. */
PGresult *db_exec_row(struct req *r, const char *name, int nparams, const char *const *params);

bool db_begin(struct req *r);
bool db_commit(struct req *r);
void db_rollback(struct req *r);

/* True when this thread can reach PostgreSQL now (runs "health"). */
bool db_ping(struct req *r);
/* Closes this thread's connection (at thread end). */
void db_close(void);

/* Helpers to read a result. */
const char *db_val(PGresult *res, int row, int col);    /* NULL for SQL NULL */
long long db_ll(PGresult *res, int row, int col);
bool db_bool(PGresult *res, int row, int col);

#define DB_UNIQUE_VIOLATION "23505"

#endif
