/* The groups of bin/unit-tests, each in its own file. */
#ifndef QLVB_TESTS_UNIT_H
#define QLVB_TESTS_UNIT_H

/* The application's edge: validation, cursor, query, statement failures
 * (test_api.c); the number of failed tests. */
int test_api_run(void);

#endif
