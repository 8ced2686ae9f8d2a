/* The registry of problems: see problem.h. */
#include "problem.h"

#include <string.h>

static const struct problem *table;
static int count;

void problems_use(const struct problem *list, int n)
{
    table = list;
    count = n;
}

const struct problem *problem_get(int id)
{
    static const struct problem fallback = { "INTERNAL_ERROR", "internal-error", 500, NULL,
                                             "Lỗi máy chủ", "Internal server error" };
    return table && id >= 0 && id < count ? &table[id] : &fallback;
}

const struct problem *problem_by_sqlstate(const char *sqlstate)
{
    for (int i = 0; sqlstate && i < count; i++)
        if (table[i].sqlstate && strcmp(table[i].sqlstate, sqlstate) == 0)
            return &table[i];
    return NULL;
}

const struct problem *problems_all(int *n)
{
    *n = count;
    return table;
}
