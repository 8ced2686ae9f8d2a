/* Problems (RFC 9457): each type is declared once, in the one registry
 * (fcgi/problems.def for the runtime's, sql/problems.def for the
 * application's); the C table, the problem JSON, nginx's own refusals, the
 * SQLSTATEs SQL raises and the spec's list derive from it. */
#ifndef QLVB_PROBLEM_H
#define QLVB_PROBLEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ctx;

struct problem {
    const char *name;             /* NOT_FOUND */
    const char *slug;             /* not-found: urn:qlvb:problem:<slug> */
    int status;
    const char *sqlstate;         /* QPnnn when SQL raises it, else NULL */
    const char *title_vi, *title_en;
};

/* The runtime's problems, first in every program's registry. */
enum {
#define PROBLEM(name, slug, status, sqlstate, vi, en) PROBLEM_##name,
#include "problems.def"
#undef PROBLEM
    PROBLEM_RUNTIME_COUNT
};

/* The program's whole registry (runtime rows first); before threads start. */
void problems_use(const struct problem *list, int n);
/* A problem by its id (PROBLEM_*); the internal error for an unknown id. */
const struct problem *problem_get(int id);
/* The problem an SQL function raised with this SQLSTATE, or NULL. */
const struct problem *problem_by_sqlstate(const char *sqlstate);
/* The whole registry, for tools that publish it. */
const struct problem *problems_all(int *n);

/* The problem a failed statement maps to, and its detail: 503
 * database-unavailable when PostgreSQL is away, 503 database-busy for a
 * transient failure (db_failed_transiently); the registry problem whose
 * SQLSTATE an SQL function raised; invalid-field for a value PostgreSQL
 * refused (class 22); the internal error otherwise. */
const struct problem *problem_of_db_failure(const struct ctx *c, bool english, const char **detail);

/* The problem+json object: the one place it is built; its title in
 * Vietnamese, or English. */
json_t *problem_json(const struct problem *p, const char *detail, const char *instance,
                     const char *request_id, json_t *ext, bool english);

#endif
