/* Sign-in: see auth.h.
 *
 * Access tokens are short JWTs naming their session (sid); a revoked
 * session is recorded in PostgreSQL and mirrored in Redis as
 * qlvb:revoked:<sid> until its last token has expired. Every new Redis
 * connection first copies the recent revocations back from PostgreSQL, so an
 * emptied or lagging Redis never lets a revoked token through. */
#include "auth.h"
#include "audit.h"
#include "../cache/cache.h"
#include "../fcgi/config.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/json.h"
#include "../fcgi/log.h"
#include "../fcgi/password.h"
#include "../fcgi/server.h"

#include <ctype.h>
#include <errno.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#define LOCK_AFTER_FAILURES "5"
#define IP_MAX_NAMES 10           /* distinct names failing from one address ... */
#define IP_MAX_FAILURES 50        /* ... or failures in all, per 15 minutes */
#define REFRESH_BYTES 32

static sem_t hash_slots;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void on_cache_connect(struct req *r);

void auth_worker_init(void)
{
    sem_init(&hash_slots, 0, (unsigned)cfg.hash_concurrency);
    char pw[32];
    randombytes_buf(pw, sizeof pw);
    if (crypto_pwhash_str(dummy_hash, pw, sizeof pw, PW_OPSLIMIT,
                          PW_MEMLIMIT) != 0)
        log_error(NULL, "msg=\"cannot prepare the dummy password hash\"");
    cache_set_on_connect(on_cache_connect);
}

/* Copies the revocations that may still matter into a fresh Redis
 * connection; if that cannot be done, the connection is not trusted. */
static void on_cache_connect(struct req *r)
{
    const char *p[1] = { arena_sprintf(r->a, "%d", cfg.access_ttl + JWT_LEEWAY) };
    PGresult *res = db_exec(r, "sessions_recently_revoked", 1, p);
    if (!res) {
        cache_close();
        return;
    }
    for (int i = 0; i < PQntuples(res); i++)
        if (!cache_cmd(r, "SET qlvb:revoked:%s 1 EX %s", PQgetvalue(res, i, 0),
                       PQgetvalue(res, i, 1))) {
            cache_close();
            return;
        }
}

static int unauthorized(struct req *r, const char *slug, const char *detail)
{
    resp_header(r, "WWW-Authenticate",
                strcmp(slug, "missing-token") == 0 ? "Bearer realm=\"qlvb\""
                                                   : "Bearer realm=\"qlvb\", error=\"invalid_token\"");
    return api_error(r, 401, slug, detail);
}

bool auth_authenticate(struct req *r)
{
    const char *h = req_env(r, "HTTP_AUTHORIZATION");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        unauthorized(r, "missing-token", "an Authorization: Bearer token is required");
        return false;
    }
    const char *tok = h + 7;
    while (*tok == ' ')
        tok++;
    struct jwt_claims c;
    enum jwt_verdict v = jwt_check(&server_keys, cfg.jwt_issuer, cfg.jwt_audience, tok,
                                   (long long)time(NULL), &c);
    if (v != JWT_OK) {
        unauthorized(r, "invalid-token", jwt_verdict_str(v));
        return false;
    }
    bool revoked;
    redisReply *rep = cache_cmd(r, "EXISTS qlvb:revoked:%lld", (long long)c.sid);
    if (rep && rep->type == REDIS_REPLY_INTEGER) {
        revoked = rep->integer != 0;
    } else {
        const char *p[2] = { arena_sprintf(r->a, "%lld", (long long)c.sid),
                             arena_sprintf(r->a, "%lld", (long long)c.sub) };
        PGresult *res = db_exec(r, "session_state", 2, p);
        if (!res) {
            api_db_error(r);
            return false;
        }
        revoked = PQntuples(res) != 1 || !db_bool(res, 0, 0);
    }
    if (revoked) {
        unauthorized(r, "invalid-token", "the session of this token has ended");
        return false;
    }
    r->user_id = c.sub;
    r->session_id = c.sid;
    return true;
}

/* Records a revoked session in Redis for as long as its tokens can live.
 * PostgreSQL already has it; a failure here is mended by on_cache_connect. */
static void mirror_revocation(struct req *r, int64_t sid)
{
    cache_cmd(r, "SET qlvb:revoked:%lld 1 EX %d", (long long)sid, cfg.access_ttl + JWT_LEEWAY);
}

static char *random_token(struct req *r, char **hash_hex)
{
    unsigned char raw[REFRESH_BYTES], h[crypto_hash_sha256_BYTES];
    randombytes_buf(raw, sizeof raw);
    size_t b64len = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *tok = arena_alloc(r->a, b64len);
    sodium_bin2base64(tok, b64len, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
    *hash_hex = arena_alloc(r->a, sizeof h * 2 + 1);
    sodium_bin2hex(*hash_hex, sizeof h * 2 + 1, h, sizeof h);
    sodium_memzero(raw, sizeof raw);
    return tok;
}

/* Issues an access token and a refresh token for a session, in the open
 * transaction, and answers with both. */
static int issue_tokens(struct req *r, int64_t user_id, int64_t sid, int status)
{
    char *hash;
    char *refresh = random_token(r, &hash);
    const char *p[3] = { arena_sprintf(r->a, "%lld", (long long)sid), hash,
                         arena_sprintf(r->a, "%d", cfg.refresh_ttl) };
    if (!db_exec(r, "refresh_new", 3, p))
        return api_db_error(r);
    char *access = jwt_issue(r->a, &server_keys, cfg.jwt_issuer, cfg.jwt_audience, user_id, sid,
                             (long long)time(NULL), cfg.access_ttl);
    if (!access)
        return api_error(r, 500, "internal-error", "the token could not be signed");
    if (!db_commit(r))
        return api_db_error(r);
    json_t *o = json_object();
    json_object_set_new(o, "access_token", json_string(access));
    json_object_set_new(o, "token_type", json_string("Bearer"));
    json_object_set_new(o, "expires_in", json_integer(cfg.access_ttl));
    json_object_set_new(o, "refresh_token", json_string(refresh));
    json_object_set_new(o, "refresh_expires_in", json_integer(cfg.refresh_ttl));
    json_object_set_new(o, "user_id", json_integer(user_id));
    return api_json(r, status, o);
}

static char *lower_ascii(struct req *r, const char *s)
{
    char *o = arena_strdup(r->a, s);
    for (char *p = o; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return o;
}

static int too_many(struct req *r, long seconds, const char *detail)
{
    resp_header(r, "Retry-After", arena_sprintf(r->a, "%ld", seconds > 0 ? seconds : 1));
    return api_error(r, 429, "too-many-attempts", detail);
}

int auth_login(struct req *r)
{
    static const char *const allowed[] = { "username", "password", "device_name", NULL };
    json_t *body = req_json_object(r);
    if (!body)
        return r->status;
    const char *bad = json_unknown_key(body, allowed);
    if (bad)
        return api_error(r, 400, "unknown-field", arena_sprintf(r->a, "unknown field '%s'", bad));
    const char *user, *pass, *device, *err;
    if (!json_get_str(r->a, body, "username", true, 1, 64, &user, &err) ||
        !json_get_str(r->a, body, "password", true, 1, 256, &pass, &err) ||
        !json_get_str(r->a, body, "device_name", true, 1, 100, &device, &err))
        return api_error(r, 400, "invalid-field", err);
    const char *name = lower_ascii(r, user);

    /* locked name, or an address failing on many names */
    const char *pn[1] = { name };
    PGresult *res = db_exec(r, "login_throttle_get", 1, pn);
    if (!res)
        return api_db_error(r);
    if (PQntuples(res) == 1)
        return too_many(r, (long)db_ll(res, 0, 0),
                        "too many failed sign-ins for this account; try again later");
    const char *pip[1] = { r->remote_addr };
    res = db_exec(r, "login_ip_failures", 1, pip);
    if (!res)
        return api_db_error(r);
    if (db_ll(res, 0, 0) >= IP_MAX_NAMES || db_ll(res, 0, 1) >= IP_MAX_FAILURES)
        return too_many(r, 900, "too many failed sign-ins from this address; try again later");

    /* argon2id costs tens of milliseconds and 64 MiB: a few at a time */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    while (sem_timedwait(&hash_slots, &ts) != 0) {
        if (errno != EINTR) {
            resp_header(r, "Retry-After", "1");
            return api_error(r, 503, "busy", "too many sign-ins at once; try again in a second");
        }
    }
    res = db_exec(r, "login_user", 1, pn);
    bool ok = false;
    int64_t uid = 0;
    if (res && PQntuples(res) == 1) {
        uid = db_ll(res, 0, 0);
        ok = crypto_pwhash_str_verify(PQgetvalue(res, 0, 1), pass, strlen(pass)) == 0;
    } else if (res) {
        /* unknown name: spend the same time, give the same answer */
        if (crypto_pwhash_str_verify(dummy_hash, pass, strlen(pass)) == 0)
            ok = false;
    }
    sem_post(&hash_slots);
    if (!res)
        return api_db_error(r);

    if (!ok) {
        const char *pf[2] = { name, LOCK_AFTER_FAILURES };
        const char *pi[2] = { r->remote_addr, name };
        if (!db_begin(r) || !db_exec(r, "login_fail", 2, pf) || !db_exec(r, "login_fail_ip", 2, pi) ||
            !audit(r, uid, "auth.login_failed", uid ? "user" : NULL, uid, NULL) || !db_commit(r))
            return api_db_error(r);
        return unauthorized(r, "invalid-credentials", "wrong username or password");
    }
    const char *ps[3] = { arena_sprintf(r->a, "%lld", (long long)uid), device, r->remote_addr };
    if (!db_begin(r) || !db_exec(r, "login_ok", 1, pn) || !(res = db_exec(r, "session_new", 3, ps)))
        return api_db_error(r);
    int64_t sid = db_ll(res, 0, 0);
    if (!audit(r, uid, "auth.login", "session", sid, NULL))
        return api_db_error(r);
    return issue_tokens(r, uid, sid, 200);
}

int auth_refresh(struct req *r)
{
    static const char *const allowed[] = { "refresh_token", NULL };
    json_t *body = req_json_object(r);
    if (!body)
        return r->status;
    const char *bad = json_unknown_key(body, allowed);
    if (bad)
        return api_error(r, 400, "unknown-field", arena_sprintf(r->a, "unknown field '%s'", bad));
    const char *tok, *err;
    if (!json_get_str(r->a, body, "refresh_token", true, 1, 128, &tok, &err))
        return api_error(r, 400, "invalid-field", err);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[sizeof h * 2 + 1];
    crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);

    const char *p[1] = { hex };
    PGresult *res;
    if (!db_begin(r) || !(res = db_exec(r, "refresh_find", 1, p)))
        return api_db_error(r);
    if (PQntuples(res) != 1)
        return unauthorized(r, "invalid-refresh-token", "unknown refresh token");
    const char *rt_id = PQgetvalue(res, 0, 0);
    int64_t sid = db_ll(res, 0, 1), uid = db_ll(res, 0, 2);
    bool rotated = db_bool(res, 0, 3), expired = db_bool(res, 0, 4), revoked = db_bool(res, 0, 5);
    if (revoked)
        return unauthorized(r, "invalid-refresh-token", "the session has ended");
    if (rotated) {
        /* a used token came back: someone has a copy; end the whole login */
        const char *pr[2] = { arena_sprintf(r->a, "%lld", (long long)sid), "refresh-reuse" };
        if (!db_exec(r, "session_revoke", 2, pr) ||
            !audit(r, uid, "auth.refresh_reuse", "session", sid, NULL) || !db_commit(r))
            return api_db_error(r);
        mirror_revocation(r, sid);
        log_warn(r->request_id, "msg=\"refresh token reused; session revoked\" session=%lld",
                 (long long)sid);
        return unauthorized(r, "refresh-token-reused",
                            "this refresh token was already used; the session has been ended");
    }
    if (expired)
        return unauthorized(r, "invalid-refresh-token", "the refresh token has expired");
    const char *pr[1] = { rt_id };
    if (!db_exec(r, "refresh_rotate", 1, pr))
        return api_db_error(r);
    return issue_tokens(r, uid, sid, 200);
}

int auth_logout(struct req *r)
{
    if (r->body_len) {
        json_t *body = req_json_object(r);
        if (!body)
            return r->status;
        if (json_object_size(body) != 0)
            return api_error(r, 400, "unknown-field", "logout takes no fields");
    }
    const char *p[2] = { arena_sprintf(r->a, "%lld", (long long)r->session_id), "logout" };
    if (!db_begin(r) || !db_exec(r, "session_revoke", 2, p) ||
        !audit(r, r->user_id, "auth.logout", "session", r->session_id, NULL) || !db_commit(r))
        return api_db_error(r);
    mirror_revocation(r, r->session_id);
    return api_no_content(r);
}
