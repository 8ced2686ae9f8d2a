/* Configuration, read once from QLVB_* environment variables (README lists
 * them). Read-only after config_load. */
#ifndef QLVB_CONFIG_H
#define QLVB_CONFIG_H

#include <stddef.h>

struct config {
    const char *socket_path;     /* QLVB_SOCKET: FastCGI unix socket */
    int backlog;                 /* QLVB_BACKLOG */
    int workers;                 /* QLVB_WORKERS: processes */
    int threads;                 /* QLVB_THREADS: per process */
    const char *database_url;    /* QLVB_DATABASE_URL */
    const char *redis_url;       /* QLVB_REDIS_URL: unix:/path or redis://host:port */
    const char *jwt_keys_file;   /* QLVB_JWT_KEYS_FILE */
    const char *jwt_issuer;      /* QLVB_JWT_ISSUER */
    const char *jwt_audience;    /* QLVB_JWT_AUDIENCE */
    int access_ttl;              /* QLVB_ACCESS_TTL seconds, at most 900 */
    int refresh_ttl;             /* QLVB_REFRESH_TTL seconds */
    int refresh_grace;           /* QLVB_REFRESH_GRACE seconds a rotated refresh token gives its pair again */
    size_t body_max;             /* QLVB_BODY_MAX bytes of a JSON body */
    size_t file_max;             /* QLVB_FILE_MAX bytes of an uploaded file */
    size_t arena_max;            /* QLVB_ARENA_MAX bytes one request may hold; see below */
    int pg_timeout_ms;           /* QLVB_PG_TIMEOUT_MS: a statement's limit */
    int redis_timeout_ms;        /* QLVB_REDIS_TIMEOUT_MS */
    int redis_backoff_ms;        /* QLVB_REDIS_BACKOFF_MS: pause after a failure */
    int hash_concurrency;        /* QLVB_HASH_CONCURRENCY: argon2id at once, per process */
    const char *pidfile;         /* QLVB_PIDFILE */
    const char *store_dir;       /* QLVB_STORE_DIR */
    int test_mode;               /* QLVB_TEST_MODE=1: the one clock may be moved */
};

/* The limits follow one setting. nginx refuses a body past body_max, or
 * past file_max on the upload route, from the same variables (qlvb-admin
 * nginx-conf); the worker reads a body whole into the request's arena, so
 * by default the arena may hold file_max + body_max + this headroom, room
 * for the largest body and what the request builds from it (JSON text, the
 * answer). A request past the arena's limit is answered 500 (413 when its
 * body alone does not fit) and the worker goes on. QLVB_ARENA_MAX sets the
 * arena's limit outright (at least 64 KiB), for tests. */
#define CONFIG_ARENA_HEADROOM ((size_t)16 << 20)
#define CONFIG_ARENA_MIN ((size_t)64 << 10)

extern struct config cfg;

/* Returns 0, or -1 after printing what is wrong. */
int config_load(void);

#endif
