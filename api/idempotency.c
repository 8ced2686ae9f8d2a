/* Idempotency-Key: see idempotency.h. */
#include "idempotency.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

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
        resp_problem(r, PROBLEM_INVALID_IDEMPOTENCY_KEY, "Idempotency-Key must be 1 to 200 visible ASCII characters");
        return true;
    }
    const char *uid = req_id_text(r, r->user_id), *sig = signature(r);
    PGresult *res = DB_RUN(&r->c, IDEM_CLAIM, uid, key, sig);
    if (!res) {
        resp_problem_db(r);
        return true;
    }
    if (PQntuples(res) == 1)
        return false;              /* first time: go on and act */
    res = DB_RUN(&r->c, IDEM_GET, uid, key);
    if (!res || PQntuples(res) != 1) {
        resp_problem_db(r);
        return true;
    }
    if (strcmp(PQgetvalue(res, 0, 0), sig) != 0) {
        resp_problem(r, PROBLEM_IDEMPOTENCY_KEY_REUSED, "this Idempotency-Key was used for a different request");
        return true;
    }
    if (PQgetisnull(res, 0, 1)) {
        resp_header(r, "Retry-After", "1");
        resp_problem(r, PROBLEM_REQUEST_IN_PROGRESS, "the first request with this Idempotency-Key is still running");
        return true;
    }
    resp_header(r, "Idempotent-Replayed", "true");
    const char *body = PQgetvalue(res, 0, 3);
    resp_raw(r, atoi(PQgetvalue(res, 0, 1)), PQgetisnull(res, 0, 2) ? NULL : arena_strdup(r->a, PQgetvalue(res, 0, 2)),
             body, strlen(body));
    return true;
}

void idem_after(struct req *r)
{
    const char *key = key_of(r);
    if (!key)
        return;
    const char *uid = req_id_text(r, r->user_id);
    if (r->status >= 500) {
        DB_RUN(&r->c, IDEM_RELEASE, uid, key);
        return;
    }
    DB_RUN(&r->c, IDEM_STORE, uid, key, req_id_text(r, r->status), r->ctype,
           arena_strndup(r->a, r->out.s, r->out.len));
}
