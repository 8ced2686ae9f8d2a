/* Configuration from the environment: see config.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct config cfg;

static const char *env_str(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static int env_int(const char *name, long def, long min, long max, long *out)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        fprintf(stderr, "level=fatal msg=\"%s must be an integer from %ld to %ld\"\n",
                name, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

int config_load(void)
{
    long test_mode, workers, threads, backlog, access, refresh, grace, body, filemax, arena, pgt, rt, rb, hc;
    if (env_int("QLVB_WORKERS", 2, 1, 64, &workers) ||
        env_int("QLVB_THREADS", 8, 1, 256, &threads) ||
        env_int("QLVB_BACKLOG", 1024, 16, 65535, &backlog) ||
        env_int("QLVB_ACCESS_TTL", 900, 30, 900, &access) ||
        env_int("QLVB_REFRESH_TTL", 30L * 86400, 300, 90L * 86400, &refresh) ||
        env_int("QLVB_REFRESH_GRACE", 60, 0, 600, &grace) ||
        env_int("QLVB_BODY_MAX", 1 << 20, 1024, 64 << 20, &body) ||
        env_int("QLVB_FILE_MAX", 20 << 20, 1024, 1L << 30, &filemax) ||
        env_int("QLVB_ARENA_MAX", 0, (long)CONFIG_ARENA_MIN, 1L << 36, &arena) ||
        env_int("QLVB_PG_TIMEOUT_MS", 5000, 100, 600000, &pgt) ||
        env_int("QLVB_REDIS_TIMEOUT_MS", 50, 5, 5000, &rt) ||
        env_int("QLVB_REDIS_BACKOFF_MS", 1000, 10, 60000, &rb) ||
        env_int("QLVB_HASH_CONCURRENCY", 2, 1, 64, &hc) ||
        env_int("QLVB_TEST_MODE", 0, 0, 1, &test_mode))
        return -1;
    cfg.workers = (int)workers;
    cfg.threads = (int)threads;
    cfg.backlog = (int)backlog;
    cfg.access_ttl = (int)access;
    cfg.refresh_ttl = (int)refresh;
    /* a pair given again must still be usable: the window is shorter than an access token's life */
    cfg.refresh_grace = (int)(grace < access ? grace : access / 2);
    cfg.body_max = (size_t)body;
    cfg.file_max = (size_t)filemax;
    cfg.arena_max = arena ? (size_t)arena : cfg.file_max + cfg.body_max + CONFIG_ARENA_HEADROOM;
    cfg.pg_timeout_ms = (int)pgt;
    cfg.redis_timeout_ms = (int)rt;
    cfg.redis_backoff_ms = (int)rb;
    cfg.hash_concurrency = (int)hc;
    cfg.test_mode = (int)test_mode;
    cfg.socket_path = env_str("QLVB_SOCKET", "var/run/api.sock");
    cfg.database_url = env_str("QLVB_DATABASE_URL", "postgresql:///qlvb");
    cfg.redis_url = env_str("QLVB_REDIS_URL", "redis://127.0.0.1:6379");
    cfg.jwt_keys_file = env_str("QLVB_JWT_KEYS_FILE", NULL);
    cfg.jwt_issuer = env_str("QLVB_JWT_ISSUER", "qlvb");
    cfg.jwt_audience = env_str("QLVB_JWT_AUDIENCE", "qlvb-mobile");
    cfg.pidfile = env_str("QLVB_PIDFILE", NULL);
    cfg.store_dir = env_str("QLVB_STORE_DIR", "var/store");
    return 0;
}
