/* Contexts: see ctx.h. */
#include "ctx.h"
#include "log.h"

#include <string.h>

void ctx_init(struct ctx *c, struct arena *a, const char *request_id)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->request_id = request_id;
    c->t0_us = now_us();
}
