/* The groups of bin/unit-tests, each in its own file, and its modes. */
#ifndef QLVB_TESTS_UNIT_H
#define QLVB_TESTS_UNIT_H

#include <stdio.h>

/* The application's edge: validation, cursor, query, statement failures
 * (test_api.c); the number of failed tests. */
int test_api_run(void);

/* Every request field table of api/schemas.c as JSON on out, for
 * tests/static/test_request_schemas.py (dump_schemas.c). */
void dump_schemas(FILE *out);

#endif
