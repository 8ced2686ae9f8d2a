/* The route table: {method, path pattern, handler, flags}, matched once per
 * request. Patterns are literal segments and {name} captures of one segment. */
#ifndef QLVB_ROUTER_H
#define QLVB_ROUTER_H

#include <stddef.h>

struct req;

enum route_flags {
    AUTH_NONE = 0,
    AUTH_USER = 1 << 0,      /* the application's authenticate hook must pass */
    BODY_RAW = 1 << 1,       /* body is not JSON (uploads): cfg.file_max applies */
    ROUTE_APP_FLAGS = 1 << 8 /* bits from here on belong to the application */
};

/* A handler answers through the resp_* functions; what it has answered when
 * it returns is the response. */
typedef void (*handler_fn)(struct req *r);

struct route {
    const char *method;
    const char *pattern;
    handler_fn handler;
    int flags;
    const void *data;        /* for a handler that serves several routes */
};

#define ROUTE_MAX_PARAMS 6

struct route_match {
    const struct route *route;
    int nparams;
    const char *names[ROUTE_MAX_PARAMS];   /* point into the pattern */
    size_t name_lens[ROUTE_MAX_PARAMS];
    const char *values[ROUTE_MAX_PARAMS];  /* point into the path */
    size_t value_lens[ROUTE_MAX_PARAMS];
    char allow[64];                        /* methods of the path, for 405 */
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* routes ends with an entry whose method is NULL. */
enum route_result route_find(const struct route *routes, const char *method,
                             const char *path, struct route_match *m);

#endif
