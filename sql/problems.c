/* The one registry of problems as a table: see problems.h. */
#include "problems.h"

const struct problem problems_registry[PROBLEM_COUNT] = {
#define PROBLEM(name, slug, status, sqlstate, vi, en) { #name, slug, status, sqlstate, vi, en },
#include "../fcgi/problems.def"
#include "problems.def"
#undef PROBLEM
};
