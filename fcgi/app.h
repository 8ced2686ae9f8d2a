/* What an application hands the runtime: one description, as nginx modules
 * push their handlers into phases. The runtime names nothing above it; the
 * program's main fills this in and calls server_run. */
#ifndef QLVB_APP_H
#define QLVB_APP_H

#include <stdbool.h>

#include "db.h"
#include "problem.h"
#include "router.h"

struct req;

struct app {
    const char *name;                       /* application_name towards PostgreSQL */
    const struct route *routes;             /* ends with a NULL method */
    const struct db_statement *statements;  /* the one list, runtime rows first */
    int statement_count;
    const struct problem *problems;         /* the one registry, runtime rows first */
    int problem_count;

    void (*worker_init)(void);              /* per worker process, after fork */
    void (*thread_init)(void);              /* per thread, before its first request */
    void (*thread_exit)(void);              /* per thread, after its last request */

    /* Routes with AUTH_USER: checks the credentials and sets r->user_id, or
     * answers (401, 503) and returns false. It runs before the body is read
     * (r->body is NULL then). */
    bool (*authenticate)(struct req *r);
    /* Around every routed handler, after authentication: before() returns
     * true when it has answered in the handler's stead (a replayed
     * Idempotency-Key); after() sees the handler's answer. Either may be NULL. */
    bool (*before)(struct req *r);
    void (*after)(struct req *r);
};

/* Hands the description's tables to the runtime's parts (statements,
 * problems): for programs that do not run the server, too. */
void app_use(const struct app *app);

#endif
