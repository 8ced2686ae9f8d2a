/* The context of one unit of work: an HTTP request in a worker, one pass of
 * a daemon's loop, one qlvb-admin command. The database, Redis and logging
 * take this, never a request, so that daemons and tools link them as they
 * are. Everything allocated for the unit comes from its arena. */
#ifndef QLVB_CTX_H
#define QLVB_CTX_H

#include <stdbool.h>

struct arena;
struct ctx_hook;

struct ctx {
    struct arena *a;
    const char *request_id;       /* in every log line; NULL outside a request */
    long long t0_us;              /* when the unit began (monotonic) */

    /* database state of this unit */
    bool in_tx;
    bool db_down;                 /* PostgreSQL could not be reached */
    const char *sqlstate;         /* of the last failed statement */
    const char *sqlmsg;           /* and its message */
    const char *sqlmsg_vi;        /* its Vietnamese (the error's DETAIL), or NULL */
    const char *sqlpointer;       /* the request's field at fault (the error's COLUMN), or NULL */
    struct ctx_hook *before_commit, *after_commit;
};

/* A context over an arena, for code outside a request. */
void ctx_init(struct ctx *c, struct arena *a, const char *request_id);

#endif
