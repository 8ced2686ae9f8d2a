/* Idempotency-Key on acting POSTs (routes flagged IDEMPOTENT): the first
 * request with a key acts and its answer (status, body and headers) is
 * kept 24 hours; a retry with the same key and the same request gets that
 * answer again without acting; the same key on another request is refused.
 *
 * The key is claimed before the handler with a lease: a second request with
 * it meanwhile answers 409 request-in-progress, and a claim whose worker
 * died is taken over once its lease ends. A handler that acts in one
 * transaction keeps the answer in that transaction (idem_keep_or_fail,
 * just before the commit), so that an action that committed always has its
 * answer; other answers are kept after the handler, and a failure of the
 * server lets the claim go, so that a retry may act. Hooked around every
 * handler through the application's description (api/main.c). */
#ifndef QLVB_API_IDEMPOTENCY_H
#define QLVB_API_IDEMPOTENCY_H

#include <stdbool.h>

#include "../fcgi/router.h"

struct ctx;
struct req;

enum { IDEMPOTENT = ROUTE_APP_FLAGS };   /* route flag: honours Idempotency-Key */

#define IDEM_LEASE_SECONDS 30
#define IDEM_RETENTION_HOURS 24

/* Before the handler: true when it has answered (a replay, or a refusal). */
bool idem_before(struct req *r);
/* Inside the action's transaction, with r's answer ready: keeps it with the
 * key (when the request has one). False when it could not be written: the
 * transaction must fail. */
bool idem_keep_or_fail(struct req *r, struct ctx *c);
/* After the handler: keeps an answer not kept yet, or lets the claim go
 * after a failure of the server. */
void idem_after(struct req *r);

#endif
