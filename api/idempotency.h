/* Idempotency-Key on acting POSTs (routes flagged IDEMPOTENT): the first
 * request with a key acts and its answer is kept; a retry with the same key
 * and the same request gets that answer again without acting; the same key
 * on another request is refused. Hooked around every handler through the
 * application's description (api/main.c). */
#ifndef QLVB_API_IDEMPOTENCY_H
#define QLVB_API_IDEMPOTENCY_H

#include <stdbool.h>

#include "../fcgi/router.h"

struct req;

enum { IDEMPOTENT = ROUTE_APP_FLAGS };   /* route flag: honours Idempotency-Key */

/* Before the handler: true when it has answered (a replay, or a refusal). */
bool idem_before(struct req *r);
/* After the handler: keeps the answer; a failure of the server is not kept,
 * so that a retry may act. */
void idem_after(struct req *r);

#endif
