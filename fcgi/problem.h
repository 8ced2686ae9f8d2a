/* Problems (RFC 9457): each type is declared once, in the one registry
 * (fcgi/problems.def for the runtime's, sql/problems.def for the
 * application's); the C table, the problem JSON, nginx's own refusals, the
 * SQLSTATEs SQL raises and the spec's list derive from it. */
#ifndef QLVB_PROBLEM_H
#define QLVB_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
