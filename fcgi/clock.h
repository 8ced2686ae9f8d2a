/* The one clock, the C twin of qlvb_now() (sql/functions/clock.sql): the
 * real time plus an offset that only a database in test mode holds. Every
 * time rule in C (token lifetimes, sessions) reads it. In test mode
 * (QLVB_TEST_MODE=1) the offset is reread at the start of every unit of work
 * (a request, a daemon's pass), so that once a test has moved the clock,
 * every later request of every process sees it; otherwise it is 0 and
 * nothing is read. Credentials for outside services (provider tokens) use
 * the real clock, never this one. */
#ifndef QLVB_CLOCK_H
#define QLVB_CLOCK_H

#include "ctx.h"

/* Seconds and microseconds since the epoch, on the one clock. */
long long clock_now_s(void);
long long clock_now_us(void);

/* In test mode, rereads the offset from the database (a failed reading
 * keeps the last one); otherwise does nothing. */
void clock_refresh(struct ctx *c);

#endif
