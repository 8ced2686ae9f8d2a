/* The one list of statements: the runtime's rows (fcgi/statements.def), then
 * the application's (sql/statements.def), as STMT_* ids, their arities
 * (STMT_*_ARGC, checked by DB_RUN at compile time) and one table. */
#ifndef QLVB_SQL_STATEMENTS_H
#define QLVB_SQL_STATEMENTS_H

#include "../fcgi/db.h"

enum {
    STMT_APP_FIRST_ = STMT_RUNTIME_COUNT - 1,
#define STMT(name, n, sql) STMT_##name,
#include "statements.def"
#undef STMT
    STMT_COUNT
};
enum {
#define STMT(name, n, sql) STMT_##name##_ARGC = n,
#include "statements.def"
#undef STMT
};

extern const struct db_statement statements_list[STMT_COUNT];

#endif
