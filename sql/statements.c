/* The one list of statements as a table: see statements.h. */
#include "statements.h"

const struct db_statement statements_list[STMT_COUNT] = {
#define STMT(name, n, sql) { #name, n, sql },
#include "../fcgi/statements.def"
#include "statements.def"
#undef STMT
};
