/* Idempotency-Key: see idempotency.h. */
#include "idempotency.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The request's key, once claimed (r->app). */
struct idem {
    const char *key;
    const char *user;
    bool kept;                    /* the answer is stored */
};

static const char *key_of(struct req *r)
{
    return (r->match.route->flags & IDEMPOTENT) ? req_env(r, "HTTP_IDEMPOTENCY_KEY") : NULL;
}

/* Method, path, query and body: what makes "the same request". */
static const char *signature(struct req *r)
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    char *sig = arena_alloc(r->a, sizeof h * 2 + 1);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->method, strlen(r->method) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->path, strlen(r->path) + 1);
    if (r->query)
        crypto_hash_sha256_update(&st, (const unsigned char *)r->query, strlen(r->query));
    crypto_hash_sha256_update(&st, (const unsigned char *)"", 1);
    if (r->body)
        crypto_hash_sha256_update(&st, (const unsigned char *)r->body, r->body_len);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(sig, sizeof h * 2 + 1, h, sizeof h);
    return sig;
}

/* Answers from an existing key: a replay, a refusal, or "still running". */
static void answer_existing(struct req *r, PGresult *res, const char *sig)
{
    if (strcmp(PQgetvalue(res, 0, 0), sig) != 0) {
        resp_problem(r, PROBLEM_IDEMPOTENCY_KEY_REUSED, SAY(r, "Idempotency-Key này đã được dùng cho một yêu cầu khác", "this Idempotency-Key was used for a different request"));
        return;
    }
    if (PQgetisnull(res, 0, 1)) {
        resp_header(r, "Retry-After", "1");
        resp_problem(r, PROBLEM_REQUEST_IN_PROGRESS, SAY(r, "yêu cầu đầu tiên với Idempotency-Key này vẫn đang chạy", "the first request with this Idempotency-Key is still running"));
        return;
    }
    const char *body = PQgetvalue(res, 0, 3);
    resp_raw(r, atoi(PQgetvalue(res, 0, 1)), PQgetisnull(res, 0, 2) ? NULL : arena_strdup(r->a, PQgetvalue(res, 0, 2)),
             body, strlen(body));
    if (!PQgetisnull(res, 0, 4)) {
        /* the first answer's headers; its Cache-Control is the runtime's to write */
        char *h = arena_strdup(r->a, PQgetvalue(res, 0, 4));
        char *cc = strstr(h, "Cache-Control: ");
        if (cc) {
            char *end = strstr(cc, "\r\n");
            if (end) {
                r->cache_control = arena_strndup(r->a, cc + 15, (size_t)(end - cc - 15));
                memmove(cc, end + 2, strlen(end + 2) + 1);
            }
        }
        sbuf_add(&r->hdrs, h, strlen(h));
    }
    resp_header(r, "Idempotent-Replayed", "true");
}

bool idem_before(struct req *r)
{
    const char *key = key_of(r);
    if (!key)
        return false;
    size_t n = strlen(key);
    bool ok = n >= 1 && n <= 200;
    for (size_t i = 0; ok && i < n; i++)
        ok = key[i] > 0x20 && key[i] < 0x7f;
    if (!ok) {
        resp_problem(r, PROBLEM_INVALID_IDEMPOTENCY_KEY, SAY(r, "Idempotency-Key gồm 1 đến 200 ký tự ASCII hiển thị được", "Idempotency-Key must be 1 to 200 visible ASCII characters"));
        return true;
    }
    const char *uid = req_id_text(r, r->user_id), *sig = signature(r);
    PGresult *res = DB_RUN(&r->c, IDEM_GET, uid, key);
    if (!res) {
        resp_problem_db(r);
        return true;
    }
    bool free_to_claim = PQntuples(res) == 0;
    if (!free_to_claim) {
        /* a claim of the same request whose lease ended may be taken over */
        res = DB_RUN(&r->c, IDEM_CLAIM, uid, key, sig, req_id_text(r, IDEM_LEASE_SECONDS));
        if (res && PQntuples(res) == 1)
            goto claimed;
        if (!(res = DB_RUN(&r->c, IDEM_GET, uid, key)) || PQntuples(res) != 1) {
            resp_problem_db(r);
            return true;
        }
        answer_existing(r, res, sig);
        return true;
    }
    DB_RUN0(&r->c, IDEM_PURGE);        /* keys past their retention go as new ones come */
    res = DB_RUN(&r->c, IDEM_CLAIM, uid, key, sig, req_id_text(r, IDEM_LEASE_SECONDS));
    if (!res) {
        resp_problem_db(r);
        return true;
    }
    if (PQntuples(res) != 1) {         /* another request claimed it just now */
        if (!(res = DB_RUN(&r->c, IDEM_GET, uid, key)) || PQntuples(res) != 1) {
            resp_problem_db(r);
            return true;
        }
        answer_existing(r, res, sig);
        return true;
    }
claimed:;
    struct idem *st = arena_calloc(r->a, 1, sizeof *st);
    st->key = key;
    st->user = uid;
    r->app = st;
    return false;
}

static bool store(struct req *r, struct ctx *c)
{
    struct idem *st = r->app;
    const char *status = req_id_text(r, r->status);
    const char *body = arena_strndup(r->a, r->out.s, r->out.len);
    const char *headers = r->hdrs.len ? arena_strndup(r->a, r->hdrs.s, r->hdrs.len) : NULL;
    if (r->cache_control)
        headers = arena_sprintf(r->a, "%sCache-Control: %s\r\n", headers ? headers : "", r->cache_control);
    return DB_RUN(c, IDEM_STORE, st->user, st->key, status, r->ctype, body, headers) != NULL;
}

static void mark_kept(struct ctx *c, void *arg)
{
    (void)c;
    ((struct idem *)arg)->kept = true;
}

bool idem_keep_or_fail(struct req *r, struct ctx *c)
{
    struct idem *st = r->app;
    if (!st || !key_of(r))
        return true;
    if (!store(r, c))
        return false;
    db_after_commit(c, mark_kept, st);    /* kept once the transaction is */
    return true;
}

void idem_after(struct req *r)
{
    struct idem *st = r->app;
    const char *key = key_of(r);
    if (!key)
        return;
    if (!st) {
        /* the request's state is gone (it passed its memory limit and was
         * answered afresh): a failure lets the claim go */
        if (r->status >= 500)
            DB_RUN(&r->c, IDEM_RELEASE, req_id_text(r, r->user_id), key);
        return;
    }
    if (r->status >= 500 || r->status == 412) {
        /* no answer committed with the action: let a retry act (a kept
         * answer stays: the release takes only an unanswered claim); and
         * a 412 did nothing: the same key sent again after the user
         * decided anew acts on the version they now saw */
        DB_RUN(&r->c, IDEM_RELEASE, st->user, st->key);
        return;
    }
    if (!st->kept)
        store(r, &r->c);
}
