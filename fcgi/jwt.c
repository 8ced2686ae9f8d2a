/* Access tokens: see jwt.h. */
#include "jwt.h"
#include "arena.h"

#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool kid_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

int jwt_keys_load(const char *path, struct jwt_keyset *ks, char *err, size_t errlen)
{
    memset(ks, 0, sizeof *ks);
    struct stat st;
    if (!path || stat(path, &st) != 0) {
        snprintf(err, errlen, "JWT key file %s cannot be read: %s", path ? path : "(unset)",
                 strerror(errno));
        return -1;
    }
    if (st.st_mode & (S_IROTH | S_IWOTH)) {
        snprintf(err, errlen, "JWT key file %s is accessible to others (mode %o); chmod 600 it",
                 path, (unsigned)(st.st_mode & 0777));
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "JWT key file %s cannot be opened: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line + strspn(line, " \t");
        p[strcspn(p, "\r\n")] = '\0';
        if (*p == '\0' || *p == '#')
            continue;
        char *kid = p, *sp = p + strcspn(p, " \t");
        if (*sp == '\0') {
            snprintf(err, errlen, "%s:%d: expected 'kid secret'", path, lineno);
            rc = -1;
            break;
        }
        *sp++ = '\0';
        char *b64 = sp + strspn(sp, " \t");
        b64[strcspn(b64, " \t")] = '\0';
        if (!kid_ok(kid, strlen(kid))) {
            snprintf(err, errlen, "%s:%d: kid must be 1-64 of [A-Za-z0-9._-]", path, lineno);
            rc = -1;
            break;
        }
        for (int i = 0; i < ks->n; i++)
            if (strcmp(ks->keys[i].kid, kid) == 0) {
                snprintf(err, errlen, "%s:%d: kid %s appears twice", path, lineno, kid);
                rc = -1;
            }
        if (rc)
            break;
        if (ks->n == JWT_MAX_KEYS) {
            snprintf(err, errlen, "%s: more than %d keys", path, JWT_MAX_KEYS);
            rc = -1;
            break;
        }
        struct jwt_key *k = &ks->keys[ks->n];
        size_t len = 0;
        if (sodium_base642bin(k->secret, sizeof k->secret, b64, strlen(b64), NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 &&
            sodium_base642bin(k->secret, sizeof k->secret, b64, strlen(b64), NULL, &len, NULL,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
            snprintf(err, errlen, "%s:%d: secret is not base64 (or longer than %d bytes)", path,
                     lineno, JWT_MAX_KEY_BYTES);
            rc = -1;
            break;
        }
        if (len < JWT_MIN_KEY_BYTES) {
            snprintf(err, errlen, "%s:%d: key %s is %zu bytes; at least %d are required", path,
                     lineno, kid, len, JWT_MIN_KEY_BYTES);
            rc = -1;
            break;
        }
        snprintf(k->kid, sizeof k->kid, "%s", kid);
        k->len = len;
        ks->n++;
    }
    fclose(f);
    sodium_memzero(line, sizeof line);
    if (rc == 0 && ks->n == 0) {
        snprintf(err, errlen, "JWT key file %s holds no key", path);
        rc = -1;
    }
    return rc;
}

const char *jwt_verdict_str(enum jwt_verdict v, bool english)
{
    static const char *const en[] = {
        "ok", "malformed token", "algorithm not allowed", "unknown key id",
        "bad signature", "token expired", "token times not acceptable", "wrong issuer",
        "wrong audience", "bad subject", "not an access token",
    };
    static const char *const vi[] = {
        "hợp lệ", "token sai định dạng", "thuật toán không được phép", "không rõ khóa (kid)",
        "chữ ký không đúng", "token đã hết hạn", "thời gian trong token không chấp nhận được", "sai bên cấp (iss)",
        "sai đối tượng (aud)", "sai chủ thể (sub)", "không phải access token",
    };
    _Static_assert(sizeof en == sizeof vi, "every verdict in both languages");
    if ((unsigned)v >= sizeof en / sizeof en[0])
        return english ? "invalid token" : "token không hợp lệ";
    return english ? en[v] : vi[v];
}

/* Decodes one base64url part into a JSON object (duplicate keys refused). */
static json_t *part_json(const char *s, size_t n)
{
    if (n == 0 || n > JWT_MAX_LEN)
        return NULL;
    unsigned char buf[JWT_MAX_LEN];
    size_t len;
    if (sodium_base642bin(buf, sizeof buf, s, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static bool int_claim(json_t *obj, const char *name, long long *out)
{
    json_t *v = json_object_get(obj, name);
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

static bool id_string(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return v > 0;
}

enum jwt_verdict jwt_check(const struct jwt_keyset *ks, const char *iss, const char *aud,
                           const char *token, long long now, struct jwt_claims *out)
{
    size_t tl = token ? strlen(token) : 0;
    if (tl == 0 || tl > JWT_MAX_LEN)
        return JWT_MALFORMED;
    const char *d1 = strchr(token, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '.') || d2[1] == '\0')
        return JWT_MALFORMED;       /* stripped signature included */

    json_t *hdr = part_json(token, (size_t)(d1 - token));
    if (!hdr)
        return JWT_MALFORMED;
    enum jwt_verdict v = JWT_OK;
    const struct jwt_key *key = NULL;
    json_t *alg = json_object_get(hdr, "alg");
    json_t *kid = json_object_get(hdr, "kid");
    json_t *typ = json_object_get(hdr, "typ");
    if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0)
        v = JWT_BAD_ALG;
    else if (typ && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT") != 0))
        v = JWT_MALFORMED;
    else if (!json_is_string(kid) || !kid_ok(json_string_value(kid), json_string_length(kid)))
        v = JWT_BAD_KID;
    else {
        for (int i = 0; i < ks->n; i++)
            if (strcmp(ks->keys[i].kid, json_string_value(kid)) == 0)
                key = &ks->keys[i];
        if (!key)
            v = JWT_BAD_KID;
    }
    json_decref(hdr);
    if (v != JWT_OK)
        return v;

    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, key->secret, (int)key->len) != 0 || !jwt)
        return JWT_BAD_SIGNATURE;
    bool alg_ok = jwt_get_alg(jwt) == JWT_ALG_HS256;
    jwt_free(jwt);
    if (!alg_ok)
        return JWT_BAD_ALG;

    /* The signature is good; read the claims ourselves, strictly. */
    json_t *c = part_json(d1 + 1, (size_t)(d2 - d1 - 1));
    if (!c)
        return JWT_MALFORMED;
    long long exp, iat, nbf;
    json_t *j_iss = json_object_get(c, "iss"), *j_aud = json_object_get(c, "aud");
    json_t *j_sub = json_object_get(c, "sub"), *j_sid = json_object_get(c, "sid");
    json_t *j_use = json_object_get(c, "token_use");
    if (!int_claim(c, "exp", &exp) || !int_claim(c, "iat", &iat))
        v = JWT_BAD_TIMES;
    else if (exp <= now)
        v = JWT_EXPIRED;
    else if (exp - iat > JWT_MAX_TTL || exp <= iat || iat > now + JWT_LEEWAY)
        v = JWT_BAD_TIMES;
    else if (json_object_get(c, "nbf") && (!int_claim(c, "nbf", &nbf) || nbf > now + JWT_LEEWAY))
        v = JWT_BAD_TIMES;
    else if (!json_is_string(j_iss) || strcmp(json_string_value(j_iss), iss) != 0)
        v = JWT_BAD_ISSUER;
    else if (!json_is_string(j_aud) || strcmp(json_string_value(j_aud), aud) != 0)
        v = JWT_BAD_AUDIENCE;
    else if (!json_is_string(j_use) || strcmp(json_string_value(j_use), "access") != 0)
        v = JWT_BAD_USE;
    else if (!json_is_string(j_sub) || !id_string(json_string_value(j_sub), &out->sub) ||
             !json_is_integer(j_sid) || json_integer_value(j_sid) <= 0)
        v = JWT_BAD_SUBJECT;
    else {
        out->sid = json_integer_value(j_sid);
        out->iat = iat;
        out->exp = exp;
    }
    json_decref(c);
    return v;
}

char *jwt_issue(struct arena *a, const struct jwt_keyset *ks, const char *iss,
                const char *aud, int64_t sub, int64_t sid, long long now, int ttl, const char *given_jti)
{
    if (ttl > JWT_MAX_TTL)
        ttl = JWT_MAX_TTL;
    const struct jwt_key *k = &ks->keys[0];
    unsigned char rnd[16];
    char random_jti[sizeof rnd * 2 + 1], subs[24];
    const char *jti = given_jti;
    if (!jti) {
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(random_jti, sizeof random_jti, rnd, sizeof rnd);
        jti = random_jti;
    }
    snprintf(subs, sizeof subs, "%lld", (long long)sub);

    jwt_t *jwt = NULL;
    char *tok = NULL;
    if (jwt_new(&jwt) == 0 &&
        jwt_add_header(jwt, "kid", k->kid) == 0 &&
        jwt_add_grant(jwt, "iss", iss) == 0 &&
        jwt_add_grant(jwt, "aud", aud) == 0 &&
        jwt_add_grant(jwt, "sub", subs) == 0 &&
        jwt_add_grant(jwt, "jti", jti) == 0 &&
        jwt_add_grant(jwt, "token_use", "access") == 0 &&
        jwt_add_grant_int(jwt, "sid", (long)sid) == 0 &&
        jwt_add_grant_int(jwt, "iat", (long)now) == 0 &&
        jwt_add_grant_int(jwt, "nbf", (long)now) == 0 &&
        jwt_add_grant_int(jwt, "exp", (long)(now + ttl)) == 0 &&
        jwt_set_alg(jwt, JWT_ALG_HS256, k->secret, (int)k->len) == 0)
        tok = jwt_encode_str(jwt);
    jwt_free(jwt);
    if (!tok)
        return NULL;
    char *out = arena_strdup(a, tok);
    free(tok);
    return out;
}
