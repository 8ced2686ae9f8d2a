/* bin/unit-tests: the unit tests of the worker runtime (arena, router, JSON
 * helpers, JWT check) here, then the application's groups (unit.h); with
 * --dump-request-schemas, only the request field tables as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../fcgi/arena.h"
#include "../../fcgi/jsonx.h"
#include "../../fcgi/jwt.h"
#include "../../fcgi/router.h"
#include "unit.h"

/* ---- arena ---- */

static int deferred;
static void count_defer(void *p) { deferred += *(int *)p; }

static void arena_allocations_are_aligned_and_distinct(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 0);
    char *p = arena_alloc(&a, 3), *q = arena_alloc(&a, 5);
    assert_true(((uintptr_t)p % 16) == 0 && ((uintptr_t)q % 16) == 0);
    assert_true(q >= p + 3);
    /* larger than a block: gets its own */
    char *big = arena_alloc(&a, 10000);
    memset(big, 'x', 10000);
    char *after = arena_alloc(&a, 8);
    assert_true(after < big || after >= big + 10000);
    arena_destroy(&a);
}

static void arena_reset_runs_cleanups_once(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 256, 0);
    int one = 1, ten = 10;
    deferred = 0;
    arena_defer(&a, count_defer, &one);
    arena_defer(&a, count_defer, &ten);
    for (int i = 0; i < 100; i++)
        arena_alloc(&a, 100);
    arena_reset(&a);
    assert_int_equal(deferred, 11);
    assert_int_equal(a.used, 0);
    arena_reset(&a);
    assert_int_equal(deferred, 11);
    char *s = arena_strdup(&a, "Sở Tư pháp");
    assert_string_equal(s, "Sở Tư pháp");
    arena_destroy(&a);
}

static void arena_sprintf_and_sbuf(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 64, 0);
    assert_string_equal(arena_sprintf(&a, "%d/%s", 5, "QĐ-STP"), "5/QĐ-STP");
    struct sbuf b;
    sbuf_init(&b, &a, 4);
    for (int i = 0; i < 50; i++)
        sbuf_puts(&b, "ab");
    assert_int_equal(b.len, 100);
    b.len = 0;
    sbuf_json_str(&b, "a\"b\\c\n\x01 Đồng Nai");
    assert_string_equal(b.s, "\"a\\\"b\\\\c\\n\\u0001 Đồng Nai\"");
    arena_destroy(&a);
}

/* Runs fn(a) with the arena's exit set; true when it left through it. */
static bool leaves(struct arena *a, void (*fn)(struct arena *a))
{
    jmp_buf out;
    if (setjmp(out))
        return true;
    arena_set_exit(a, &out);
    fn(a);
    arena_set_exit(a, NULL);
    return false;
}

static void alloc_small(struct arena *a) { arena_alloc(a, 100); }
static void alloc_10k(struct arena *a) { memset(arena_alloc(a, 10000), 'x', 10000); }
static void alloc_huge(struct arena *a) { arena_alloc(a, SIZE_MAX - 4); }
static void calloc_overflow(struct arena *a) { arena_calloc(a, SIZE_MAX / 2, 4); }
static void sbuf_past(struct arena *a)
{
    struct sbuf b;
    sbuf_init(&b, a, 16);
    for (int i = 0; i < 1000; i++)
        sbuf_puts(&b, "Ủy ban nhân dân tỉnh ");
}
static int defer_seen;
static void note_defer(void *p) { defer_seen += *(int *)p; }
static void defer_at_limit(struct arena *a)
{
    static int seven = 7;
    arena_try_alloc(a, a->limit - a->used);           /* fill it to the brim */
    arena_defer(a, note_defer, &seven);
}
static void release_json(void *p) { json_decref(p); }
static void text_past(struct arena *a)
{
    json_t *arr = json_array();
    for (int i = 0; i < 2000; i++)
        json_array_append_new(arr, json_string("Sở Thông tin và Truyền thông"));
    arena_defer(a, release_json, arr);
    jsonx_text(a, arr);
}

static void arena_try_alloc_refuses_past_the_limit_and_changes_nothing(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 8192);
    assert_non_null(arena_try_alloc(&a, 4000));
    size_t used = a.used;
    assert_null(arena_try_alloc(&a, 5000));
    assert_int_equal(a.used, used);
    assert_int_equal(a.refused, used + 5008);        /* rounded up to 16 */
    assert_null(arena_try_alloc(&a, SIZE_MAX));
    assert_int_equal(a.refused, SIZE_MAX);
    assert_non_null(arena_try_alloc(&a, 4000));     /* what fits still fits */
    assert_non_null(arena_try_alloc(&a, 8192 - a.used));
    assert_null(arena_try_alloc(&a, 1));
    struct sbuf b;
    arena_reset(&a);
    assert_int_equal(a.refused, 0);
    sbuf_init(&b, &a, 16);
    assert_true(sbuf_try_add(&b, "Sở Tư pháp", strlen("Sở Tư pháp")));
    arena_try_alloc(&a, 8192 - a.used);
    assert_false(sbuf_try_add(&b, "0123456789abcdef0123456789", 26));
    assert_string_equal(b.s, "Sở Tư pháp");           /* unchanged */
    arena_destroy(&a);
}

static void arena_past_the_limit_leaves_through_its_exit_once(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 8192);
    void (*const past[])(struct arena *) = { alloc_10k, alloc_huge, calloc_overflow, sbuf_past, text_past };
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        assert_true(leaves(&a, past[i]));
        assert_null(a.exit);                          /* taken once */
        assert_true(a.refused > 8192);
        assert_true(a.used <= 8192);
        arena_reset(&a);                               /* and the arena serves the next request */
        assert_string_equal(arena_strdup(&a, "Sở Tư pháp"), "Sở Tư pháp");
    }
    /* within the limit nothing leaves, and the exit is taken away after */
    assert_false(leaves(&a, alloc_small));
    assert_null(a.exit);
    arena_destroy(&a);
}

static void arena_defer_releases_at_once_when_it_cannot_record(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 4096);
    defer_seen = 0;
    assert_true(leaves(&a, defer_at_limit));
    assert_int_equal(defer_seen, 7);                  /* released before leaving */
    arena_reset(&a);
    assert_int_equal(defer_seen, 7);                  /* and not twice */
    arena_destroy(&a);
}

static void arena_without_an_exit_aborts_past_the_limit(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        int fd = open("/dev/null", O_WRONLY);          /* its fatal line is expected */
        dup2(fd, STDERR_FILENO);
        struct arena a;
        arena_init(&a, 1024, 4096);
        arena_alloc(&a, 5000);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

/* ---- router ---- */

static void h_a(struct req *r) { (void)r; }
static void h_b(struct req *r) { (void)r; }
static const struct route routes[] = {
    { "GET", "/api/v1/health", h_a, AUTH_NONE, NULL },
    { "GET", "/api/v1/documents/{id}", h_a, AUTH_USER, NULL },
    { "POST", "/api/v1/documents/{id}/assign", h_b, AUTH_USER, NULL },
    { "DELETE", "/api/v1/documents/{id}", h_b, AUTH_USER, NULL },
    { NULL, NULL, NULL, 0, NULL },
};

static void router_matches_literals_and_captures(void **state)
{
    (void)state;
    struct route_match m;
    assert_int_equal(route_find(routes, "GET", "/api/v1/health", &m), ROUTE_FOUND);
    assert_ptr_equal(m.route, &routes[0]);
    assert_int_equal(route_find(routes, "POST", "/api/v1/documents/42/assign", &m), ROUTE_FOUND);
    assert_ptr_equal(m.route, &routes[2]);
    assert_int_equal(m.nparams, 1);
    assert_int_equal(m.value_lens[0], 2);
    assert_memory_equal(m.values[0], "42", 2);
    assert_memory_equal(m.names[0], "id", 2);
}

static void router_404_and_405(void **state)
{
    (void)state;
    struct route_match m;
    assert_int_equal(route_find(routes, "GET", "/api/v1/nothing", &m), ROUTE_NOT_FOUND);
    assert_int_equal(route_find(routes, "GET", "/api/v1/health/", &m), ROUTE_NOT_FOUND);
    assert_int_equal(route_find(routes, "GET", "/api/v1/documents/", &m), ROUTE_NOT_FOUND);
    assert_int_equal(route_find(routes, "GET", "/api/v1/documents//assign", &m), ROUTE_NOT_FOUND);
    assert_int_equal(route_find(routes, "GET", "/api/v1", &m), ROUTE_NOT_FOUND);
    assert_int_equal(route_find(routes, "PUT", "/api/v1/documents/7", &m), ROUTE_BAD_METHOD);
    assert_string_equal(m.allow, "GET, DELETE");
    assert_int_equal(route_find(routes, "POST", "/api/v1/health", &m), ROUTE_BAD_METHOD);
    assert_string_equal(m.allow, "GET");
}

/* ---- JSON ---- */

static void json_refuses_duplicates_and_deep_nesting(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 0);
    const char *err = NULL;
    const char *dup = "{\"username\":\"a\",\"username\":\"b\"}";
    assert_null(jsonx_parse_strict(&a, dup, strlen(dup), &err));
    assert_non_null(strstr(err, "duplicate"));
    char deep[200];
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    deep[80] = '\0';
    assert_null(jsonx_parse_strict(&a, deep, strlen(deep), &err));
    assert_non_null(strstr(err, "nesting"));
    /* brackets inside strings do not count */
    const char *s = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}";
    assert_non_null(jsonx_parse_strict(&a, s, strlen(s), &err));
    assert_null(jsonx_parse_strict(&a, "{\"a\":", 5, &err));
    assert_null(jsonx_parse_strict(&a, "", 0, &err));
    const char *ok = "{\"name\":\"Sở Tư pháp\"}";
    json_t *j = jsonx_parse_strict(&a, ok, strlen(ok), &err);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "Sở Tư pháp");
    arena_destroy(&a);
}

static void json_field_helpers(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 0);
    const char *err = NULL, *out = NULL;
    const char *txt = "{\"name\":\"Đỗ\",\"n\":5,\"x\":1}";
    json_t *j = jsonx_parse_strict(&a, txt, strlen(txt), &err);
    static const char *const allowed[] = { "name", "n", NULL };
    assert_string_equal(jsonx_unknown_key(j, allowed), "x");
    assert_true(jsonx_get_str(&a, j, "name", true, 1, 2, &out, &err));   /* 2 code points */
    assert_string_equal(out, "Đỗ");
    assert_false(jsonx_get_str(&a, j, "name", true, 3, 10, &out, &err));
    assert_false(jsonx_get_str(&a, j, "n", true, 1, 10, &out, &err));
    assert_non_null(strstr(err, "must be a string"));
    assert_false(jsonx_get_str(&a, j, "missing", true, 1, 10, &out, &err));
    assert_true(jsonx_get_str(&a, j, "missing", false, 1, 10, &out, &err));
    assert_null(out);
    assert_int_equal(jsonx_utf8_length("Quyết định"), 10);
    assert_int_equal(jsonx_utf8_length("\xC3\x28"), -1);
    arena_destroy(&a);
}

/* ---- JWT ---- */

static struct jwt_keyset ks;
static const char *ISS = "qlvb", *AUD = "qlvb-mobile";
static char keyfile[] = "/tmp/qlvb-unit-keys-XXXXXX";

static int write_keys(const char *content, mode_t mode)
{
    int fd = mkstemp(keyfile);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, content, strlen(content));
    close(fd);
    chmod(keyfile, mode);
    return w < 0 ? -1 : 0;
}

static int jwt_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    /* two keys of 32+ bytes: k1 signs, k2 still verifies */
    strcpy(keyfile, "/tmp/qlvb-unit-keys-XXXXXX");
    if (write_keys("# test keys\n"
                   "k1 MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm\n"
                   "k2 ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTBmZWRjYmE5ODc2NTQzMjEw\n", 0600))
        return -1;
    char err[256];
    int rc = jwt_keys_load(keyfile, &ks, err, sizeof err);
    unlink(keyfile);
    return rc;
}

static char *b64url(const void *data, size_t n)
{
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(len);
    sodium_bin2base64(out, len, data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* A token with the given algorithm, kid and claims, signed with key. */
static char *make_token(jwt_alg_t alg, const char *kid, const unsigned char *key, size_t klen,
                        const char *claims_json)
{
    jwt_t *jwt;
    jwt_new(&jwt);
    if (kid)
        jwt_add_header(jwt, "kid", kid);
    jwt_add_grants_json(jwt, claims_json);
    jwt_set_alg(jwt, alg, key, (int)klen);
    char *t = jwt_encode_str(jwt);
    jwt_free(jwt);
    return t;
}

static char *claims(long long now, long long iat_off, long long exp_off, const char *extra)
{
    static char buf[512];
    snprintf(buf, sizeof buf,
             "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\","
             "\"iat\":%lld,\"exp\":%lld%s%s}",
             now + iat_off, now + exp_off, extra ? "," : "", extra ? extra : "");
    return buf;
}

static enum jwt_verdict check(const char *tok, long long now)
{
    struct jwt_claims c;
    return jwt_check(&ks, ISS, AUD, tok, now, &c);
}

static void jwt_good_token_and_rotation(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 0);
    long long now = time(NULL);
    char *t = jwt_issue(&a, &ks, ISS, AUD, 7, 3, now, 900, NULL);
    struct jwt_claims c;
    assert_int_equal(jwt_check(&ks, ISS, AUD, t, now, &c), JWT_OK);
    assert_int_equal(c.sub, 7);
    assert_int_equal(c.sid, 3);
    assert_int_equal(c.exp - c.iat, 900);
    /* a token of the second key in the file still verifies */
    char *t2 = make_token(JWT_ALG_HS256, "k2", ks.keys[1].secret, ks.keys[1].len, claims(now, 0, 600, NULL));
    assert_int_equal(check(t2, now), JWT_OK);
    free(t2);
    arena_destroy(&a);
}

static void jwt_refuses_none_in_any_case(void **state)
{
    (void)state;
    long long now = time(NULL);
    const char *algs[] = { "none", "None", "NONE", "nOnE" };
    for (int i = 0; i < 4; i++) {
        char hdr[128];
        snprintf(hdr, sizeof hdr, "{\"alg\":\"%s\",\"kid\":\"k1\",\"typ\":\"JWT\"}", algs[i]);
        char *h = b64url(hdr, strlen(hdr));
        const char *cl = claims(now, 0, 600, NULL);
        char *p = b64url(cl, strlen(cl));
        char tok[1024];
        snprintf(tok, sizeof tok, "%s.%s.", h, p);          /* empty signature */
        assert_int_not_equal(check(tok, now), JWT_OK);
        snprintf(tok, sizeof tok, "%s.%s.c2ln", h, p);      /* some signature */
        assert_int_equal(check(tok, now), JWT_BAD_ALG);
        free(h);
        free(p);
    }
}

static void jwt_refuses_other_hmac_algorithms_with_the_right_key(void **state)
{
    (void)state;
    long long now = time(NULL);
    char *t384 = make_token(JWT_ALG_HS384, "k1", ks.keys[0].secret, ks.keys[0].len, claims(now, 0, 600, NULL));
    char *t512 = make_token(JWT_ALG_HS512, "k1", ks.keys[0].secret, ks.keys[0].len, claims(now, 0, 600, NULL));
    assert_int_equal(check(t384, now), JWT_BAD_ALG);
    assert_int_equal(check(t512, now), JWT_BAD_ALG);
    free(t384);
    free(t512);
}

static void jwt_refuses_bad_times(void **state)
{
    (void)state;
    long long now = time(NULL);
    const unsigned char *k = ks.keys[0].secret;
    size_t kl = ks.keys[0].len;
    char *expired = make_token(JWT_ALG_HS256, "k1", k, kl, claims(now, -1000, -100, NULL));
    assert_int_equal(check(expired, now), JWT_EXPIRED);
    char *in1970 = make_token(JWT_ALG_HS256, "k1", k, kl,
        "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\",\"iat\":0,\"exp\":60}");
    assert_int_equal(check(in1970, now), JWT_EXPIRED);
    char *no_exp = make_token(JWT_ALG_HS256, "k1", k, kl,
        "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\",\"iat\":1}");
    assert_int_equal(check(no_exp, now), JWT_BAD_TIMES);
    char *no_iat = make_token(JWT_ALG_HS256, "k1", k, kl,
        "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\",\"exp\":99999999999}");
    assert_int_equal(check(no_iat, now), JWT_BAD_TIMES);
    char *too_long = make_token(JWT_ALG_HS256, "k1", k, kl, claims(now, 0, 3600, NULL));
    assert_int_equal(check(too_long, now), JWT_BAD_TIMES);
    char *future_iat = make_token(JWT_ALG_HS256, "k1", k, kl, claims(now, 300, 600, NULL));
    assert_int_equal(check(future_iat, now), JWT_BAD_TIMES);
    char nbf[64];
    snprintf(nbf, sizeof nbf, "\"nbf\":%lld", now + 300);
    char *future_nbf = make_token(JWT_ALG_HS256, "k1", k, kl, claims(now, 0, 600, nbf));
    assert_int_equal(check(future_nbf, now), JWT_BAD_TIMES);
    snprintf(nbf, sizeof nbf, "\"nbf\":%lld", now + 10);    /* within the leeway */
    char *near_nbf = make_token(JWT_ALG_HS256, "k1", k, kl, claims(now, 0, 600, nbf));
    assert_int_equal(check(near_nbf, now), JWT_OK);
    char *str_exp = make_token(JWT_ALG_HS256, "k1", k, kl,
        "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\",\"iat\":1,\"exp\":\"99999999999\"}");
    assert_int_equal(check(str_exp, now), JWT_BAD_TIMES);
    free(expired); free(in1970); free(no_exp); free(no_iat); free(too_long);
    free(future_iat); free(future_nbf); free(near_nbf); free(str_exp);
}

static void jwt_refuses_wrong_issuer_audience_subject_use(void **state)
{
    (void)state;
    long long now = time(NULL);
    const unsigned char *k = ks.keys[0].secret;
    size_t kl = ks.keys[0].len;
    char buf[512];
    snprintf(buf, sizeof buf, "{\"iss\":\"other\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\",\"iat\":%lld,\"exp\":%lld}", now, now + 600);
    char *t1 = make_token(JWT_ALG_HS256, "k1", k, kl, buf);
    assert_int_equal(check(t1, now), JWT_BAD_ISSUER);
    snprintf(buf, sizeof buf, "{\"iss\":\"qlvb\",\"aud\":\"someone-else\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\",\"iat\":%lld,\"exp\":%lld}", now, now + 600);
    char *t2 = make_token(JWT_ALG_HS256, "k1", k, kl, buf);
    assert_int_equal(check(t2, now), JWT_BAD_AUDIENCE);
    snprintf(buf, sizeof buf, "{\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"access\",\"iat\":%lld,\"exp\":%lld}", now, now + 600);
    char *t3 = make_token(JWT_ALG_HS256, "k1", k, kl, buf);
    assert_int_equal(check(t3, now), JWT_BAD_ISSUER);
    snprintf(buf, sizeof buf, "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sid\":3,\"token_use\":\"access\",\"iat\":%lld,\"exp\":%lld}", now, now + 600);
    char *t4 = make_token(JWT_ALG_HS256, "k1", k, kl, buf);
    assert_int_equal(check(t4, now), JWT_BAD_SUBJECT);
    snprintf(buf, sizeof buf, "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"sid\":3,\"token_use\":\"refresh\",\"iat\":%lld,\"exp\":%lld}", now, now + 600);
    char *t5 = make_token(JWT_ALG_HS256, "k1", k, kl, buf);
    assert_int_equal(check(t5, now), JWT_BAD_USE);
    snprintf(buf, sizeof buf, "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"7\",\"iat\":%lld,\"exp\":%lld,\"token_use\":\"access\"}", now, now + 600);
    char *t6 = make_token(JWT_ALG_HS256, "k1", k, kl, buf);
    assert_int_equal(check(t6, now), JWT_BAD_SUBJECT);
    free(t1); free(t2); free(t3); free(t4); free(t5); free(t6);
}

static void jwt_refuses_bad_kid(void **state)
{
    (void)state;
    long long now = time(NULL);
    const unsigned char *k = ks.keys[0].secret;
    size_t kl = ks.keys[0].len;
    char *unknown = make_token(JWT_ALG_HS256, "k9", k, kl, claims(now, 0, 600, NULL));
    char *missing = make_token(JWT_ALG_HS256, NULL, k, kl, claims(now, 0, 600, NULL));
    char *bad = make_token(JWT_ALG_HS256, "../../etc/passwd", k, kl, claims(now, 0, 600, NULL));
    assert_int_equal(check(unknown, now), JWT_BAD_KID);
    assert_int_equal(check(missing, now), JWT_BAD_KID);
    assert_int_equal(check(bad, now), JWT_BAD_KID);
    /* right kid name, wrong key */
    unsigned char other[32];
    memset(other, 7, sizeof other);
    char *wrongkey = make_token(JWT_ALG_HS256, "k1", other, sizeof other, claims(now, 0, 600, NULL));
    assert_int_equal(check(wrongkey, now), JWT_BAD_SIGNATURE);
    free(unknown); free(missing); free(bad); free(wrongkey);
}

static void jwt_refuses_tampered_and_stripped(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024, 0);
    long long now = time(NULL);
    char *t = jwt_issue(&a, &ks, ISS, AUD, 7, 3, now, 900, NULL);
    /* another payload under the same header and signature */
    char *d1 = strchr(t, '.'), *d2 = strchr(d1 + 1, '.');
    const char *cl = "{\"iss\":\"qlvb\",\"aud\":\"qlvb-mobile\",\"sub\":\"1\",\"sid\":3,\"token_use\":\"access\",\"iat\":1,\"exp\":99999999999}";
    char *p = b64url(cl, strlen(cl));
    char *tampered = arena_sprintf(&a, "%.*s.%s%s", (int)(d1 - t), t, p, d2);
    assert_int_equal(check(tampered, now), JWT_BAD_SIGNATURE);
    /* one flipped letter of the signature */
    char *flipped = arena_strdup(&a, t);
    size_t n = strlen(flipped);
    flipped[n - 3] = flipped[n - 3] == 'A' ? 'B' : 'A';
    assert_int_equal(check(flipped, now), JWT_BAD_SIGNATURE);
    char *stripped = arena_strndup(&a, t, (size_t)(d2 - t) + 1);   /* "h.p." */
    assert_int_equal(check(stripped, now), JWT_MALFORMED);
    char *two = arena_strndup(&a, t, (size_t)(d2 - t));             /* "h.p" */
    assert_int_equal(check(two, now), JWT_MALFORMED);
    assert_int_equal(check("", now), JWT_MALFORMED);
    assert_int_equal(check("a.b.c.d", now), JWT_MALFORMED);
    /* an opaque refresh token is no access token */
    assert_int_equal(check("61J2D1zsUd4S5QjrXFKIGK7f-_n3oPGiMreWjrdSwXw", now), JWT_MALFORMED);
    free(p);
    arena_destroy(&a);
}

static void jwt_key_file_rules(void **state)
{
    (void)state;
    char err[256];
    struct jwt_keyset k;
    assert_int_equal(jwt_keys_load("/nonexistent/keys", &k, err, sizeof err), -1);
    const char *good = "k1 MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm\n";
    strcpy(keyfile, "/tmp/qlvb-unit-keys-XXXXXX");
    write_keys(good, 0644);
    assert_int_equal(jwt_keys_load(keyfile, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "accessible to others"));
    chmod(keyfile, 0600);
    assert_int_equal(jwt_keys_load(keyfile, &k, err, sizeof err), 0);
    unlink(keyfile);
    strcpy(keyfile, "/tmp/qlvb-unit-keys-XXXXXX");
    write_keys("k1 c2hvcnQta2V5\n", 0600);                    /* "short-key" */
    assert_int_equal(jwt_keys_load(keyfile, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "at least 32"));
    unlink(keyfile);
    strcpy(keyfile, "/tmp/qlvb-unit-keys-XXXXXX");
    write_keys("# nothing\n\n", 0600);
    assert_int_equal(jwt_keys_load(keyfile, &k, err, sizeof err), -1);
    unlink(keyfile);
    strcpy(keyfile, "/tmp/qlvb-unit-keys-XXXXXX");
    write_keys("k1 MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm\n"
               "k1 ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTBmZWRjYmE5ODc2NTQzMjEw\n", 0600);
    assert_int_equal(jwt_keys_load(keyfile, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    unlink(keyfile);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--dump-request-schemas") == 0) {
        dump_schemas(stdout);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: %s [--dump-request-schemas]\n", argv[0]);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_allocations_are_aligned_and_distinct),
        cmocka_unit_test(arena_reset_runs_cleanups_once),
        cmocka_unit_test(arena_sprintf_and_sbuf),
        cmocka_unit_test(arena_try_alloc_refuses_past_the_limit_and_changes_nothing),
        cmocka_unit_test(arena_past_the_limit_leaves_through_its_exit_once),
        cmocka_unit_test(arena_defer_releases_at_once_when_it_cannot_record),
        cmocka_unit_test(arena_without_an_exit_aborts_past_the_limit),
        cmocka_unit_test(router_matches_literals_and_captures),
        cmocka_unit_test(router_404_and_405),
        cmocka_unit_test(json_refuses_duplicates_and_deep_nesting),
        cmocka_unit_test(json_field_helpers),
        cmocka_unit_test(jwt_good_token_and_rotation),
        cmocka_unit_test(jwt_refuses_none_in_any_case),
        cmocka_unit_test(jwt_refuses_other_hmac_algorithms_with_the_right_key),
        cmocka_unit_test(jwt_refuses_bad_times),
        cmocka_unit_test(jwt_refuses_wrong_issuer_audience_subject_use),
        cmocka_unit_test(jwt_refuses_bad_kid),
        cmocka_unit_test(jwt_refuses_tampered_and_stripped),
        cmocka_unit_test(jwt_key_file_rules),
    };
    int failed = cmocka_run_group_tests_name("runtime", tests, jwt_setup, NULL);
    failed += test_api_run();
    return failed;
}
