/* The one registry of problems: the runtime's rows (fcgi/problems.def), then
 * the application's (sql/problems.def), as PROBLEM_* ids and one table. */
#ifndef QLVB_SQL_PROBLEMS_H
#define QLVB_SQL_PROBLEMS_H

#include "../fcgi/problem.h"

enum {
    PROBLEM_APP_FIRST_ = PROBLEM_RUNTIME_COUNT - 1,
#define PROBLEM(name, slug, status, sqlstate, vi, en) PROBLEM_##name,
#include "problems.def"
#undef PROBLEM
    PROBLEM_COUNT
};

extern const struct problem problems_registry[PROBLEM_COUNT];

#endif
