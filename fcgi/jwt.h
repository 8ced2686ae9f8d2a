/* Access tokens: HS256 JWTs signed with a key chosen by `kid` from a key
 * file that may hold several keys (the first one signs; all verify, for
 * rotation). libjwt checks the signature; everything else is checked here,
 * because libjwt 1.10 checks nothing else. */
#ifndef QLVB_JWT_H
#define QLVB_JWT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <stdbool.h>

#define JWT_MAX_KEYS 8
#define JWT_MIN_KEY_BYTES 32
#define JWT_MAX_KEY_BYTES 256
#define JWT_MAX_TTL 900           /* exp - iat, seconds */
#define JWT_LEEWAY 30             /* seconds of clock skew allowed on iat/nbf */
#define JWT_MAX_LEN 4096

struct arena;

struct jwt_key {
    char kid[65];
    unsigned char secret[JWT_MAX_KEY_BYTES];
    size_t len;
};

struct jwt_keyset {
    struct jwt_key keys[JWT_MAX_KEYS];
    int n;
};

/* Loads the key file: lines "kid base64-secret", '#' comments. Refuses a
 * missing file, one readable or writable by others, a key shorter than 32
 * bytes, a malformed or repeated kid. Returns 0, or -1 with err filled. */
int jwt_keys_load(const char *path, struct jwt_keyset *ks, char *err, size_t errlen);

struct jwt_claims {
    int64_t sub;                  /* user id */
    int64_t sid;                  /* session (login) id */
    long long iat, exp;
};

enum jwt_verdict {
    JWT_OK = 0,
    JWT_MALFORMED,                /* not three base64url parts of JSON */
    JWT_BAD_ALG,                  /* anything but exactly HS256 */
    JWT_BAD_KID,                  /* missing, malformed or unknown kid */
    JWT_BAD_SIGNATURE,
    JWT_EXPIRED,
    JWT_BAD_TIMES,                /* exp/iat missing, iat/nbf in the future, too long */
    JWT_BAD_ISSUER,
    JWT_BAD_AUDIENCE,
    JWT_BAD_SUBJECT,              /* sub or sid missing or not ids */
    JWT_BAD_USE,                  /* not an access token */
};

enum jwt_verdict jwt_check(const struct jwt_keyset *ks, const char *iss, const char *aud,
                           const char *token, long long now, struct jwt_claims *out);

const char *jwt_verdict_str(enum jwt_verdict v, bool english);

/* Signs an access token with the first key; the string lives in a. jti:
 * the token's id, or NULL for a random one (the same claims and jti under
 * the same key give the same token again). */
char *jwt_issue(struct arena *a, const struct jwt_keyset *ks, const char *iss,
                const char *aud, int64_t sub, int64_t sid, long long now, int ttl, const char *jti);

#endif
