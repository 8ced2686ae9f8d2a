/* Ended sign-ins in Redis: a key per revoked session for as long as its
 * access tokens can live, and a marker that Redis holds them all
 * (qlvb:security:ready). Redis never evicts them (the stack runs it with
 * noeviction); a Redis that restarts empty, is flushed, or misses a write
 * has no marker, and PostgreSQL decides until the state is put back. */
#ifndef QLVB_CACHE_SESSIONS_H
#define QLVB_CACHE_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

struct ctx;

/* Puts an ended session in Redis; when that fails, takes the marker away
 * (if Redis can be reached at all). False when the session is not there. */
bool sessions_revoked_mirror(struct ctx *c, int64_t sid);

#endif
