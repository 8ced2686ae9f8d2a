/* qlvb-notify: the push daemon. Built from the runtime's parts (daemon.h:
 * a supervised child, restarted when it dies; db.h: the one list of
 * statements), it loops: the sweep of deadline thresholds (every
 * QLVB_NOTIFY_SWEEP_MS), the packing of pending notifications into
 * messages (a batch of people at a time, again at once while there are
 * more), then the sends due, claimed for a lease and sent many at once
 * (curl multi), each outcome recorded. It is woken after a commit that
 * wrote a notification (LISTEN qlvb_notify) and looks again at least every
 * second. Killed at any moment it loses nothing: a claimed send whose
 * outcome was not recorded is claimed again when its lease ends (the
 * provider may then see it twice, with the same message id). */
#include "providers.h"
#include "../fcgi/arena.h"
#include "../fcgi/config.h"
#include "../fcgi/ctx.h"
#include "../fcgi/daemon.h"
#include "../fcgi/db.h"
#include "../fcgi/log.h"
#include "../sql/statements.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64

static int sweep_ms, lease_s, max_tries;

struct job {
    long long send_id;
    const char *lease;                /* the claim's lease: the outcome is recorded only under it */
    const char *platform;
    CURL *h;
    struct curl_slist *headers;
    struct sbuf body;
    int retry_after;                  /* seconds, -1: none */
    bool prepared;
};

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
    struct job *j = userdata;
    sbuf_add(&j->body, ptr, size * n);
    return size * n;
}

static size_t header(char *buf, size_t size, size_t n, void *userdata)
{
    struct job *j = userdata;
    size_t len = size * n;
    if (len > 12 && strncasecmp(buf, "Retry-After:", 12) == 0) {
        /* seconds; a date, or nothing sensible, leaves the backoff to decide */
        int s = atoi(buf + 12);
        j->retry_after = s > 0 && s <= 3600 ? s : -1;
    }
    return len;
}

static void record(struct ctx *c, struct job *j, const char *outcome, const char *status, int retry_s)
{
    char id[24], retry[16], tries[16];
    snprintf(id, sizeof id, "%lld", j->send_id);
    snprintf(retry, sizeof retry, "%d", retry_s);
    snprintf(tries, sizeof tries, "%d", max_tries);
    if (!DB_RUN(c, NOTIFY_RESULT, id, j->lease, outcome, status, retry_s >= 0 ? retry : NULL, tries))
        log_warn(NULL, "msg=\"outcome not recorded; the lease will bring the send back\" send=%s", id);
}

/* Claims the sends due and sends them, all at once; the number claimed. */
static int send_batch(struct ctx *c, CURLM *multi)
{
    char limit[16], lease[16];
    snprintf(limit, sizeof limit, "%d", BATCH);
    snprintf(lease, sizeof lease, "%d", lease_s);
    PGresult *res = DB_RUN(c, NOTIFY_CLAIM, limit, lease);
    if (!res)
        return 0;
    int n = PQntuples(res);
    struct job *jobs = arena_alloc(c->a, sizeof *jobs * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        memset(j, 0, sizeof *j);
        j->send_id = db_ll(res, i, 0);
        j->platform = arena_strdup(c->a, PQgetvalue(res, i, 3));
        j->lease = arena_strdup(c->a, PQgetvalue(res, i, 6));
        j->retry_after = -1;
        sbuf_init(&j->body, c->a, 256);
        j->h = curl_easy_init();
        if (!j->h)
            continue;
        j->prepared = provider_prepare(c->a, j->h, j->platform, PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
                                       &j->headers);
        if (!j->prepared)
            continue;
        curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(j->h, CURLOPT_WRITEDATA, j);
        curl_easy_setopt(j->h, CURLOPT_HEADERFUNCTION, header);
        curl_easy_setopt(j->h, CURLOPT_HEADERDATA, j);
        curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
        curl_multi_add_handle(multi, j->h);
    }
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        if (running)
            curl_multi_poll(multi, NULL, 0, 200, NULL);
    }
    for (int i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        if (!j->prepared) {
            record(c, j, "retry", "provider not configured or credential refused", -1);
        } else {
            long status = 0;
            curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
            sbuf_putc(&j->body, '\0');
            int retry_s;
            enum outcome o = provider_outcome(j->platform, status, j->body.s, j->retry_after, &retry_s);
            const char *what = o == OUT_SENT ? "sent" : o == OUT_GONE ? "gone" : o == OUT_DEAD ? "dead" : "retry";
            record(c, j, what, arena_sprintf(c->a, "%ld %.200s", status, o == OUT_SENT ? "" : j->body.s), retry_s);
            curl_multi_remove_handle(multi, j->h);
        }
        curl_slist_free_all(j->headers);
        if (j->h)
            curl_easy_cleanup(j->h);
    }
    return n;
}

static void run(const volatile sig_atomic_t *stop)
{
    struct arena a;
    arena_init(&a, 65536, 64u << 20);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    long long next_sweep = 0;
    while (!*stop) {
        arena_reset(&a);
        struct ctx c;
        ctx_init(&c, &a, NULL);
        if (!db_listen(&c, "LISTEN qlvb_notify")) {
            db_wait_notify(1000);
            continue;
        }
        if (now_us() >= next_sweep) {
            /* a batch of tasks a call, each its own transaction, for up to
             * two seconds (a burst's warnings to one person then go in as
             * few messages as may be); more is swept after packing and
             * sending these */
            long long until = now_us() + 2000000, warned = 0;
            bool more;
            do {
                PGresult *r = DB_RUN0(&c, NOTIFY_SWEEP);
                long long n = r ? atoll(PQgetvalue(r, 0, 0)) : 0;
                warned += n;
                more = n > 0;
            } while (more && !*stop && now_us() < until);
            if (warned > 0)
                log_info(NULL, "msg=\"tasks warned of their deadlines\" count=%lld", warned);
            next_sweep = more ? now_us() : now_us() + (long long)sweep_ms * 1000;
        }
        /* a batch of people at a time: while one took something, more may
         * wait, and the loop comes round again at once (after the sends) */
        PGresult *packed = DB_RUN0(&c, NOTIFY_PACK);
        bool more = packed && atoi(PQgetvalue(packed, 0, 0)) > 0;
        while (!*stop && send_batch(&c, multi) == BATCH)
            arena_reset(&a);
        long long wait_ms = more ? 0 : (next_sweep - now_us()) / 1000;
        db_wait_notify(wait_ms < 0 ? 0 : wait_ms > 1000 ? 1000 : (int)wait_ms);
    }
    curl_multi_cleanup(multi);
    arena_destroy(&a);
}

int main(void)
{
    if (config_load() != 0)
        return 2;
    const char *v = getenv("QLVB_NOTIFY_SWEEP_MS");
    sweep_ms = v && atoi(v) > 0 ? atoi(v) : 30000;
    v = getenv("QLVB_NOTIFY_LEASE_S");
    lease_s = v && atoi(v) > 0 ? atoi(v) : 60;
    v = getenv("QLVB_NOTIFY_MAX_TRIES");
    max_tries = v && atoi(v) > 0 ? atoi(v) : 8;
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !providers_load())
        return 2;
    db_use_statements(statements_list, STMT_COUNT);
    db_use_url(NULL, "qlvb-notify");
    static const struct daemon notify = { .name = "qlvb-notify", .run = run, .drain_s = 10 };
    return daemon_run(&notify, getenv("QLVB_NOTIFY_PIDFILE"));
}
