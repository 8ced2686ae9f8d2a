/* The one clock: see clock.h. */
#include "clock.h"
#include "config.h"
#include "db.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static atomic_llong offset_us;

long long clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + atomic_load(&offset_us);
}

long long clock_now_s(void)
{
    long long us = clock_now_us();
    return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

void clock_refresh(struct ctx *c)
{
    if (!cfg.test_mode)
        return;
    PGresult *res = DB_RUN0(c, CLOCK_OFFSET);
    if (res && PQntuples(res) == 1)
        atomic_store(&offset_us, strtoll(PQgetvalue(res, 0, 0), NULL, 10));
    /* a failed reading keeps the last offset; the unit's own work decides
     * what to answer about the database */
    c->db_down = false;
    c->sqlstate = c->sqlmsg = NULL;
}
