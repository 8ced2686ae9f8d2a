/* Sign-in: see auth.h.
 *
 * Access tokens are short JWTs naming their session (sid); a revoked
 * session is recorded in PostgreSQL and mirrored in Redis as
 * qlvb:revoked:<sid> until its last token has expired. Every new Redis
 * connection first copies the recent revocations back from PostgreSQL, so an
 * emptied or lagging Redis never lets a revoked token through. */
#include "auth.h"
#include "audit.h"
#include "schemas.h"
#include "validate.h"
#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/jwt.h"
#include "../fcgi/log.h"
#include "../fcgi/redis.h"
#include "../cache/sessions.h"
#include "../fcgi/password.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <ctype.h>
#include <errno.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#define IP_MAX_NAMES 10           /* distinct names failing from one address ... */
#define IP_MAX_FAILURES 50        /* ... or failures in all, per 15 minutes */
#define REFRESH_BYTES 32

static struct jwt_keyset keys;
static sem_t hash_slots;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void on_redis_connect(struct ctx *c);

int auth_keys_load(const char *path, char *err, size_t errlen)
{
    return jwt_keys_load(path, &keys, err, errlen);
}

void auth_worker_init(void)
{
    sem_init(&hash_slots, 0, (unsigned)cfg.hash_concurrency);
    char pw[32];
    randombytes_buf(pw, sizeof pw);
    if (crypto_pwhash_str(dummy_hash, pw, sizeof pw, PW_OPSLIMIT,
                          PW_MEMLIMIT) != 0)
        log_error(NULL, "msg=\"cannot prepare the dummy password hash\"");
    redis_set_on_connect(on_redis_connect);
}

/* argon2id costs tens of milliseconds and 19 MiB: a few at a time. */
bool auth_hash_slot_or_answer(struct req *r)
{
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
            resp_problem(r, PROBLEM_BUSY, SAY(r, "đang có quá nhiều lượt kiểm tra mật khẩu; hãy thử lại sau một giây", "too many password checks at once; try again in a second"));
            return false;
        }
    }
    return true;
}

void auth_hash_slot_release(void)
{
    sem_post(&hash_slots);
}

/* Redis holds the revocations that may still matter, and a marker that it
 * holds them all (qlvb:security:ready). Redis never evicts (the stack runs
 * it with noeviction), but it may restart empty or be flushed: without the
 * marker, PostgreSQL decides, and the revocations are copied back. */
static bool security_state_rebuild(struct ctx *c)
{
    PGresult *res = DB_RUN(c, SESSIONS_RECENTLY_REVOKED, arena_sprintf(c->a, "%d", cfg.access_ttl + JWT_LEEWAY));
    if (!res)
        return false;
    for (int i = 0; i < PQntuples(res); i++)
        if (!redis_cmd(c, "SET qlvb:revoked:%s 1 EX %s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1)))
            return false;
    return redis_cmd(c, "SET qlvb:security:ready 1") != NULL;
}

/* A fresh connection: the revocations are put back first; if that cannot be
 * done, the connection is not trusted. */
static void on_redis_connect(struct ctx *c)
{
    if (!security_state_rebuild(c))
        redis_close();
}

/* Answers 401 with the Bearer challenge. */
static void unauthorized(struct req *r, int problem, const char *detail)
{
    resp_header(r, "WWW-Authenticate",
                problem == PROBLEM_MISSING_TOKEN ? "Bearer realm=\"qlvb\""
                                                 : "Bearer realm=\"qlvb\", error=\"invalid_token\"");
    resp_problem(r, problem, detail);
}

bool auth_authenticate_or_answer(struct req *r)
{
    const char *h = req_env(r, "HTTP_AUTHORIZATION");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        unauthorized(r, PROBLEM_MISSING_TOKEN, SAY(r, "cần có token trong tiêu đề Authorization: Bearer", "an Authorization: Bearer token is required"));
        return false;
    }
    const char *tok = h + 7;
    while (*tok == ' ')
        tok++;
    struct jwt_claims c;
    enum jwt_verdict v = jwt_check(&keys, cfg.jwt_issuer, cfg.jwt_audience, tok,
                                   clock_now_s(), &c);
    if (v != JWT_OK) {
        unauthorized(r, PROBLEM_INVALID_TOKEN, jwt_verdict_str(v, r->lang_en));
        return false;
    }
    /* Redis answers while it holds the whole security state (its marker);
     * otherwise PostgreSQL decides, and the state is put back */
    bool revoked, decided = false;
    redisReply *rep = redis_cmd(&r->c, "MGET qlvb:security:ready qlvb:revoked:%lld", (long long)c.sid);
    if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2) {
        if (rep->element[0]->type == REDIS_REPLY_STRING) {
            revoked = rep->element[1]->type != REDIS_REPLY_NIL;
            decided = true;
        } else {
            log_warn(r->c.request_id, "msg=\"redis lost the security state; postgresql decides until it is back\"");
            security_state_rebuild(&r->c);
        }
    }
    if (!decided) {
        const char *p[2] = { arena_sprintf(r->a, "%lld", (long long)c.sid),
                             arena_sprintf(r->a, "%lld", (long long)c.sub) };
        PGresult *res = DB_RUNA(&r->c, SESSION_STATE, p);
        if (!res) {
            resp_problem_db(r);
            return false;
        }
        revoked = PQntuples(res) != 1 || !db_bool(res, 0, 0);
    }
    if (revoked) {
        unauthorized(r, PROBLEM_INVALID_TOKEN, SAY(r, "phiên đăng nhập của token này đã kết thúc", "the session of this token has ended"));
        return false;
    }
    r->user_id = c.sub;
    r->session_id = c.sid;
    return true;
}



/* The SHA-256 of a token, in hex (refresh tokens are stored only so). */
static char *token_hash_hex(struct req *r, const char *tok)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
    char *hex = arena_alloc(r->a, sizeof h * 2 + 1);
    sodium_bin2hex(hex, sizeof h * 2 + 1, h, sizeof h);
    return hex;
}

static char *random_token(struct req *r)
{
    unsigned char raw[REFRESH_BYTES];
    randombytes_buf(raw, sizeof raw);
    size_t b64len = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *tok = arena_alloc(r->a, b64len);
    sodium_bin2base64(tok, b64len, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return tok;
}

/* What a rotation derives from the old refresh token, under the signing
 * key: the new refresh token (label "refresh") and the new access token's
 * id ("jti"); recomputed, never stored, when the old token comes back
 * within the grace window. */
static char *derived(struct req *r, const char *label, const char *old)
{
    /* a key of its own, derived from the signing key: the signing key
     * itself signs only tokens */
    unsigned char sub[crypto_auth_hmacsha256_BYTES], mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, keys.keys[0].secret, keys.keys[0].len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"qlvb refresh rotation", 21);
    crypto_auth_hmacsha256_final(&st, sub);
    crypto_auth_hmacsha256_init(&st, sub, sizeof sub);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label) + 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)old, strlen(old));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(sub, sizeof sub);
    if (strcmp(label, "jti") == 0) {
        char *hex = arena_alloc(r->a, 33);
        sodium_bin2hex(hex, 33, mac, 16);
        return hex;
    }
    size_t b64len = sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *tok = arena_alloc(r->a, b64len);
    sodium_bin2base64(tok, b64len, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return tok;
}

static void answer_tokens(struct req *r, int64_t user_id, const char *access, long long expires_in,
                          const char *refresh, long long refresh_expires_in, int status)
{
    json_t *o = json_object();
    json_object_set_new(o, "access_token", json_string(access));
    json_object_set_new(o, "token_type", json_string("Bearer"));
    json_object_set_new(o, "expires_in", json_integer(expires_in));
    json_object_set_new(o, "refresh_token", json_string(refresh));
    json_object_set_new(o, "refresh_expires_in", json_integer(refresh_expires_in));
    json_object_set_new(o, "user_id", json_integer(user_id));
    resp_json(r, status, o);
}

/* Issues an access token and a refresh token for a session, in the open
 * transaction, commits, and answers with both. A sign-in's refresh token
 * is random; a rotation's (old: the token it replaces, its row parent) is
 * derived from the old one, and so is its access token's id. */
static void issue_tokens(struct req *r, int64_t user_id, int64_t sid, const char *old, const char *parent,
                         int status)
{
    char *refresh = old ? derived(r, "refresh", old) : random_token(r);
    const char *p[4] = { req_id_text(r, sid), token_hash_hex(r, refresh),
                         arena_sprintf(r->a, "%d", cfg.refresh_ttl), parent };
    if (!DB_RUNA(&r->c, REFRESH_NEW, p)) {
        resp_problem_db(r);
        return;
    }
    long long now = clock_now_s();
    if (old && !DB_RUN(&r->c, REFRESH_ROTATE, parent, arena_sprintf(r->a, "%lld", now))) {
        resp_problem_db(r);
        return;
    }
    char *access = jwt_issue(r->a, &keys, cfg.jwt_issuer, cfg.jwt_audience, user_id, sid,
                             now, cfg.access_ttl, old ? derived(r, "jti", old) : NULL);
    if (!access) {
        resp_problem(r, PROBLEM_INTERNAL_ERROR, SAY(r, "không ký được token", "the token could not be signed"));
        return;
    }
    if (!db_commit(&r->c)) {
        resp_problem_db(r);
        return;
    }
    answer_tokens(r, user_id, access, cfg.access_ttl, refresh, cfg.refresh_ttl, status);
}

static char *lower_ascii(struct req *r, const char *s)
{
    char *o = arena_strdup(r->a, s);
    for (char *p = o; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return o;
}

static void too_many(struct req *r, long seconds, const char *detail)
{
    resp_header(r, "Retry-After", arena_sprintf(r->a, "%ld", seconds > 0 ? seconds : 1));
    resp_problem(r, PROBLEM_TOO_MANY_ATTEMPTS, detail);
}

bool auth_name_open_or_answer(struct req *r, const char *name)
{
    PGresult *res = DB_RUN(&r->c, LOGIN_THROTTLE_GET, name);
    if (!res) {
        resp_problem_db(r);
        return false;
    }
    if (PQntuples(res) == 1) {
        too_many(r, (long)db_ll(res, 0, 0), SAY(r, "tài khoản này đăng nhập sai quá nhiều lần; hãy thử lại sau", "too many failed sign-ins for this account; try again later"));
        return false;
    }
    return true;
}

void auth_login(struct req *r)
{
    json_t *body = body_valid_or_answer(r, schema_login);
    if (!body)
        return;
    const char *user = json_string_value(json_object_get(body, "username"));
    const char *pass = json_string_value(json_object_get(body, "password"));
    const char *device = json_string_value(json_object_get(body, "device_name"));
    const char *name = lower_ascii(r, user);

    /* locked name, or an address failing on many names */
    const char *pn[1] = { name };
    if (!auth_name_open_or_answer(r, name))
        return;
    const char *pip[1] = { r->remote_addr };
    PGresult *res = DB_RUNA(&r->c, LOGIN_IP_FAILURES, pip);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (db_ll(res, 0, 0) >= IP_MAX_NAMES || db_ll(res, 0, 1) >= IP_MAX_FAILURES) {
        too_many(r, 900, SAY(r, "địa chỉ này đăng nhập sai quá nhiều lần; hãy thử lại sau", "too many failed sign-ins from this address; try again later"));
        return;
    }

    res = DB_RUNA(&r->c, LOGIN_USER, pn);
    if (!res) {
        resp_problem_db(r);
        return;
    }

    /* Nothing between taking a slot and giving it back allocates from the
     * arena: a request leaving at the arena's limit (arena.h) would keep
     * the slot. */
    if (!auth_hash_slot_or_answer(r))
        return;
    bool ok = false;
    int64_t uid = 0;
    if (PQntuples(res) == 1) {
        uid = db_ll(res, 0, 0);
        ok = crypto_pwhash_str_verify(PQgetvalue(res, 0, 1), pass, strlen(pass)) == 0;
    } else {
        /* unknown name: spend the same time, give the same answer */
        if (crypto_pwhash_str_verify(dummy_hash, pass, strlen(pass)) == 0)
            ok = false;
    }
    sem_post(&hash_slots);

    if (!ok) {
        const char *pf[2] = { name, AUTH_LOCK_AFTER_FAILURES };
        const char *pi[2] = { r->remote_addr, name };
        if (!db_begin(&r->c) || !DB_RUNA(&r->c, LOGIN_FAIL, pf) || !DB_RUNA(&r->c, LOGIN_FAIL_IP, pi) ||
            !audit(r, uid, "auth.login_failed", uid ? "user" : NULL, uid, NULL) || !db_commit(&r->c)) {
            resp_problem_db(r);
            return;
        }
        unauthorized(r, PROBLEM_INVALID_CREDENTIALS, SAY(r, "sai tên đăng nhập hoặc mật khẩu", "wrong username or password"));
        return;
    }
    const char *ps[3] = { arena_sprintf(r->a, "%lld", (long long)uid), device, r->remote_addr };
    if (!db_begin(&r->c) || !DB_RUNA(&r->c, LOGIN_OK, pn) || !(res = DB_RUNA(&r->c, SESSION_NEW, ps))) {
        resp_problem_db(r);
        return;
    }
    int64_t sid = db_ll(res, 0, 0);
    if (!audit(r, uid, "auth.login", "session", sid, NULL)) {
        resp_problem_db(r);
        return;
    }
    issue_tokens(r, uid, sid, NULL, NULL, 200);
}

/* The pair a rotation issued, again: the old token came back within the
 * grace window (its answer was lost, or two refreshes ran at once) and
 * the new one has not been used. True when it has answered; false when the
 * pair cannot be recomputed (the signing key changed since): the caller
 * treats the token as reused. */
static bool answer_rotation_again(struct req *r, const char *rt_id, long long iat, const char *old, int64_t uid,
                                  int64_t sid)
{
    PGresult *child = DB_RUN(&r->c, REFRESH_CHILD, rt_id);
    if (!child || PQntuples(child) != 1 || db_bool(child, 0, 1))
        return false;                  /* unknown, or used in turn: a copy */
    char *refresh = derived(r, "refresh", old);
    if (strcmp(token_hash_hex(r, refresh), PQgetvalue(child, 0, 0)) != 0)
        return false;
    long long now = clock_now_s();
    char *access = jwt_issue(r->a, &keys, cfg.jwt_issuer, cfg.jwt_audience, uid, sid, iat, cfg.access_ttl,
                             derived(r, "jti", old));
    if (!access)
        return false;
    long long refresh_left = db_ll(child, 0, 2);
    if (!db_commit(&r->c)) {
        resp_problem_db(r);
        return true;
    }
    long long left = iat + cfg.access_ttl - now;
    answer_tokens(r, uid, access, left > 0 ? left : 0, refresh, refresh_left, 200);
    return true;
}

void auth_refresh(struct req *r)
{
    json_t *body = body_valid_or_answer(r, schema_refresh);
    if (!body)
        return;
    const char *tok = json_string_value(json_object_get(body, "refresh_token"));
    const char *p[1] = { token_hash_hex(r, tok) };
    PGresult *res;
    if (!db_begin(&r->c) || !(res = DB_RUNA(&r->c, REFRESH_FIND, p))) {
        resp_problem_db(r);
        return;
    }
    if (PQntuples(res) != 1) {
        unauthorized(r, PROBLEM_INVALID_REFRESH_TOKEN, SAY(r, "mã làm mới không hợp lệ", "unknown refresh token"));
        return;
    }
    const char *rt_id = arena_strdup(r->a, PQgetvalue(res, 0, 0));
    int64_t sid = db_ll(res, 0, 1), uid = db_ll(res, 0, 2);
    bool rotated = db_bool(res, 0, 3), expired = db_bool(res, 0, 4), revoked = db_bool(res, 0, 5);
    if (revoked) {
        unauthorized(r, PROBLEM_INVALID_REFRESH_TOKEN, SAY(r, "phiên đăng nhập đã kết thúc", "the session has ended"));
        return;
    }
    if (rotated) {
        /* within the grace window, while what it gave is unused: the same
         * pair again (the row lock makes a concurrent refresh wait for the
         * rotation, then get its pair) */
        double since = strtod(PQgetvalue(res, 0, 7), NULL);
        if (since <= cfg.refresh_grace && answer_rotation_again(r, rt_id, db_ll(res, 0, 6), tok, uid, sid))
            return;
        /* a used token came back: someone has a copy; end the whole login */
        const char *pr[2] = { arena_sprintf(r->a, "%lld", (long long)sid), "refresh-reuse" };
        if (!DB_RUNA(&r->c, SESSION_REVOKE, pr) ||
            !audit(r, uid, "auth.refresh_reuse", "session", sid, NULL) || !db_commit(&r->c)) {
            resp_problem_db(r);
            return;
        }
        sessions_revoked_mirror(&r->c, sid);
        log_warn(r->c.request_id, "msg=\"refresh token reused; session revoked\" session=%lld",
                 (long long)sid);
        unauthorized(r, PROBLEM_REFRESH_TOKEN_REUSED,
                            SAY(r, "mã làm mới này đã được dùng; phiên đăng nhập đã bị kết thúc", "this refresh token was already used; the session has been ended"));
        return;
    }
    if (expired) {
        unauthorized(r, PROBLEM_INVALID_REFRESH_TOKEN, SAY(r, "mã làm mới đã hết hạn", "the refresh token has expired"));
        return;
    }
    if (!DB_RUN(&r->c, SESSION_REFRESHED, req_id_text(r, sid), r->remote_addr)) {
        resp_problem_db(r);
        return;
    }
    issue_tokens(r, uid, sid, tok, rt_id, 200);
}

/* GET /api/v1/me/sessions */
void auth_sessions_list(struct req *r)
{
    PGresult *res = DB_RUN(&r->c, SESSIONS_MINE, req_id_text(r, r->user_id), req_id_text(r, r->session_id));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    r->cache_control = "private, no-store";
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, 200, body);
}

/* Ends sessions of the user: one (others false) or all but this one. */
static void end_sessions(struct req *r, int64_t sid, bool others)
{
    const char *p[3] = { req_id_text(r, r->user_id), req_id_text(r, sid), others ? "true" : "false" };
    PGresult *res;
    if (!db_begin(&r->c) || !(res = DB_RUNA(&r->c, SESSIONS_END_MINE, p))) {
        resp_problem_db(r);
        return;
    }
    if (!others && PQntuples(res) != 1) {
        db_rollback(&r->c);
        resp_problem(r, PROBLEM_SESSION_NOT_FOUND, SAY(r, "bạn không có phiên đăng nhập này", "you have no such session open"));
        return;
    }
    for (int i = 0; i < PQntuples(res); i++)
        if (!audit(r, r->user_id, "auth.session_ended", "session", db_ll(res, i, 0), NULL)) {
            resp_problem_db(r);
            return;
        }
    int n = PQntuples(res);
    int64_t *ended = arena_alloc(r->a, sizeof *ended * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        ended[i] = db_ll(res, i, 0);
    if (!db_commit(&r->c)) {
        resp_problem_db(r);
        return;
    }
    for (int i = 0; i < n; i++)
        sessions_revoked_mirror(&r->c, ended[i]);
    if (!others) {
        resp_no_content(r);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "ended", json_integer(n));
    resp_json(r, 200, o);
}

/* DELETE /api/v1/me/sessions/{session_id} */
void auth_session_end(struct req *r)
{
    int64_t sid;
    if (!req_param_id(r, "session_id", &sid)) {
        resp_problem(r, PROBLEM_SESSION_NOT_FOUND, SAY(r, "bạn không có phiên đăng nhập này", "you have no such session open"));
        return;
    }
    end_sessions(r, sid, false);
}

/* POST /api/v1/me/sessions/end-others */
void auth_sessions_end_others(struct req *r)
{
    if (!body_valid_or_answer(r, schema_empty))
        return;
    end_sessions(r, r->session_id, true);
}

void auth_logout(struct req *r)
{
    if (!body_valid_or_answer(r, schema_empty))
        return;
    const char *p[2] = { arena_sprintf(r->a, "%lld", (long long)r->session_id), "logout" };
    if (!db_begin(&r->c) || !DB_RUNA(&r->c, SESSION_REVOKE, p) ||
        !audit(r, r->user_id, "auth.logout", "session", r->session_id, NULL) || !db_commit(&r->c)) {
        resp_problem_db(r);
        return;
    }
    sessions_revoked_mirror(&r->c, r->session_id);
    resp_no_content(r);
}
