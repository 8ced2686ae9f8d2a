/* Push providers: see providers.h. */
#include "providers.h"
#include "../fcgi/arena.h"
#include "../fcgi/log.h"

#include <jansson.h>
#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct {
    const char *fcm_url, *fcm_ca, *apns_url, *apns_ca, *apns_topic, *apns_key_id, *apns_team;
    const char *webhook_url, *webhook_secret, *webhook_ca;
    char *fcm_project, *fcm_email, *fcm_key, *fcm_token_uri;     /* from the service account file */
    char *apns_key;                                               /* the .p8 PEM */
    int timeout_ms;
} conf;

/* Kept credentials, per process: the FCM access token until it expires,
 * the APNs provider token 40 minutes. */
static char fcm_access[4096];
static time_t fcm_access_until;
static time_t fcm_refused_until;     /* the token endpoint failed: not asked again before this */
static char apns_jwt[1024];
static time_t apns_jwt_at;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

bool providers_load(void)
{
    conf.timeout_ms = atoi(env_or("QLVB_NOTIFY_TIMEOUT_MS", "10000"));
    conf.fcm_url = env_or("QLVB_FCM_URL", "https://fcm.googleapis.com");
    conf.fcm_ca = env_or("QLVB_FCM_CA", NULL);
    conf.apns_url = env_or("QLVB_APNS_URL", "https://api.push.apple.com");
    conf.apns_ca = env_or("QLVB_APNS_CA", NULL);
    conf.apns_topic = env_or("QLVB_APNS_TOPIC", NULL);
    conf.apns_key_id = env_or("QLVB_APNS_KEY_ID", NULL);
    conf.apns_team = env_or("QLVB_APNS_TEAM_ID", NULL);
    conf.webhook_url = env_or("QLVB_WEBHOOK_URL", NULL);
    conf.webhook_ca = env_or("QLVB_WEBHOOK_CA", NULL);
    const char *ws = env_or("QLVB_WEBHOOK_SECRET_FILE", NULL);
    if (ws) {
        char *secret = read_file(ws);
        if (!secret) {
            log_error(NULL, "msg=\"cannot read the webhook secret\" path=%s", ws);
            return false;
        }
        secret[strcspn(secret, "\r\n")] = '\0';
        conf.webhook_secret = secret;
    }
    const char *sa = env_or("QLVB_FCM_CREDENTIALS", NULL);
    if (sa) {
        json_error_t e;
        json_t *j = json_load_file(sa, 0, &e);
        const char *p = j ? json_string_value(json_object_get(j, "project_id")) : NULL;
        const char *m = j ? json_string_value(json_object_get(j, "client_email")) : NULL;
        const char *k = j ? json_string_value(json_object_get(j, "private_key")) : NULL;
        const char *t = j ? json_string_value(json_object_get(j, "token_uri")) : NULL;
        if (!p || !m || !k || !t) {
            log_error(NULL, "msg=\"the FCM service account file lacks project_id, client_email, private_key or token_uri\" path=%s", sa);
            json_decref(j);
            return false;
        }
        conf.fcm_project = strdup(p);
        conf.fcm_email = strdup(m);
        conf.fcm_key = strdup(k);
        conf.fcm_token_uri = strdup(t);
        json_decref(j);
    }
    const char *p8 = env_or("QLVB_APNS_KEY", NULL);
    if (p8 && !(conf.apns_key = read_file(p8))) {
        log_error(NULL, "msg=\"cannot read the APNs key\" path=%s", p8);
        return false;
    }
    log_info(NULL, "msg=\"providers\" fcm=%s apns=%s webhook=%s", conf.fcm_key ? "configured" : "off",
             conf.apns_key && conf.apns_topic && conf.apns_key_id && conf.apns_team ? "configured" : "off",
             conf.webhook_url && conf.webhook_secret ? "configured" : "off");
    return true;
}

int provider_timeout_ms(void)
{
    return conf.timeout_ms > 0 ? conf.timeout_ms : 10000;
}

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
    struct sbuf *b = userdata;
    sbuf_add(b, ptr, size * n);
    return size * n;
}

/* The FCM access token: the service account's assertion (RS256; iss, scope,
 * aud, iat, exp one hour on) exchanged at its token endpoint. */
static const char *fcm_access_token(struct arena *a)
{
    time_t now = time(NULL);
    if (fcm_access[0] && now < fcm_access_until - 60)
        return fcm_access;
    if (now < fcm_refused_until)
        return NULL;                 /* one failure holds the batch's other sends for a few seconds, not each */
    jwt_t *jwt = NULL;
    char *assertion = NULL;
    if (jwt_new(&jwt) != 0 ||
        jwt_set_alg(jwt, JWT_ALG_RS256, (const unsigned char *)conf.fcm_key, (int)strlen(conf.fcm_key)) != 0 ||
        jwt_add_grant(jwt, "iss", conf.fcm_email) != 0 ||
        jwt_add_grant(jwt, "scope", "https://www.googleapis.com/auth/firebase.messaging") != 0 ||
        jwt_add_grant(jwt, "aud", conf.fcm_token_uri) != 0 || jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
        jwt_add_grant_int(jwt, "exp", (long)now + 3600) != 0 || !(assertion = jwt_encode_str(jwt))) {
        log_error(NULL, "msg=\"cannot sign the FCM assertion\"");
        jwt_free(jwt);
        return NULL;
    }
    jwt_free(jwt);
    CURL *h = curl_easy_init();
    struct sbuf body;
    sbuf_init(&body, a, 1024);
    char *esc = h ? curl_easy_escape(h, assertion, 0) : NULL;
    const char *form = esc ? arena_sprintf(a, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer&assertion=%s", esc) : NULL;
    long status = 0;
    if (form) {
        curl_easy_setopt(h, CURLOPT_URL, conf.fcm_token_uri);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)provider_timeout_ms());
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        if (conf.fcm_ca)
            curl_easy_setopt(h, CURLOPT_CAINFO, conf.fcm_ca);
        if (curl_easy_perform(h) == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_free(esc);
    curl_easy_cleanup(h);
    free(assertion);
    json_t *j = status == 200 ? json_loadb(body.s, body.len, 0, NULL) : NULL;
    const char *tok = j ? json_string_value(json_object_get(j, "access_token")) : NULL;
    json_int_t ttl = j ? json_integer_value(json_object_get(j, "expires_in")) : 0;
    if (!tok || strlen(tok) >= sizeof fcm_access || ttl <= 0) {
        log_warn(NULL, "msg=\"FCM token endpoint refused the assertion\" status=%ld", status);
        json_decref(j);
        fcm_refused_until = now + 10;
        return NULL;
    }
    strcpy(fcm_access, tok);
    fcm_access_until = now + (time_t)ttl;
    json_decref(j);
    return fcm_access;
}

/* The APNs provider token: ES256, kid, iss the team, iat now; kept 40
 * minutes (Apple refuses one older than an hour, and one renewed more than
 * every 20 minutes). */
static const char *apns_provider_token(void)
{
    time_t now = time(NULL);
    if (apns_jwt[0] && now - apns_jwt_at < 40 * 60)
        return apns_jwt;
    jwt_t *jwt = NULL;
    char *s = NULL;
    if (jwt_new(&jwt) != 0 ||
        jwt_set_alg(jwt, JWT_ALG_ES256, (const unsigned char *)conf.apns_key, (int)strlen(conf.apns_key)) != 0 ||
        jwt_add_header(jwt, "kid", conf.apns_key_id) != 0 || jwt_add_grant(jwt, "iss", conf.apns_team) != 0 ||
        jwt_add_grant_int(jwt, "iat", (long)now) != 0 || !(s = jwt_encode_str(jwt)) || strlen(s) >= sizeof apns_jwt) {
        log_error(NULL, "msg=\"cannot sign the APNs provider token\"");
        jwt_free(jwt);
        free(s);
        return NULL;
    }
    strcpy(apns_jwt, s);
    apns_jwt_at = now;
    free(s);
    jwt_free(jwt);
    return apns_jwt;
}

/* FCM v1: notification (title, body), data (strings), Android priority
 * and ttl as a duration string. No collapse_key: FCM keeps four per device
 * and drops the others unsaid; each message carries its id in data. */
static bool prepare_fcm(struct arena *a, CURL *h, const char *token, json_t *p, struct curl_slist **hdrs)
{
    if (!conf.fcm_key)
        return false;
    const char *access = fcm_access_token(a);
    if (!access)
        return false;
    json_t *msg = json_pack("{s:{s:s, s:O, s:{s:s, s:s}}}", "message", "token", token,
                            "data", json_object_get(p, "data"), "android", "priority",
                            json_is_true(json_object_get(p, "urgent")) ? "HIGH" : "NORMAL", "ttl", "86400s");
    if (msg && !json_is_true(json_object_get(p, "silent"))) {   /* a silent one is data only */
        json_t *note = json_object();
        json_object_set(note, "title", json_object_get(p, "title"));
        if (json_is_string(json_object_get(p, "body")))
            json_object_set(note, "body", json_object_get(p, "body"));
        json_object_set_new(json_object_get(msg, "message"), "notification", note);
    }
    char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (!body)
        return false;
    curl_easy_setopt(h, CURLOPT_URL, arena_sprintf(a, "%s/v1/projects/%s/messages:send", conf.fcm_url, conf.fcm_project));
    curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
    free(body);
    *hdrs = curl_slist_append(*hdrs, arena_sprintf(a, "Authorization: Bearer %s", access));
    *hdrs = curl_slist_append(*hdrs, "Content-Type: application/json; charset=UTF-8");
    if (conf.fcm_ca)
        curl_easy_setopt(h, CURLOPT_CAINFO, conf.fcm_ca);
    return true;
}

/* APNs: POST /3/device/<token> over HTTP/2, the alert, the message id as
 * apns-collapse-id (a phone shows one of the same id), a day to live. */
static bool prepare_apns(struct arena *a, CURL *h, const char *token, json_t *p, struct curl_slist **hdrs)
{
    if (!conf.apns_key || !conf.apns_topic || !conf.apns_key_id || !conf.apns_team)
        return false;
    const char *jwt = apns_provider_token();
    if (!jwt)
        return false;
    json_t *data = json_object_get(p, "data");
    bool silent = json_is_true(json_object_get(p, "silent"));
    json_t *body = json_deep_copy(data);
    if (silent) {                       /* a background push: no alert, the app wakes and clears */
        json_object_set_new(body, "aps", json_pack("{s:i}", "content-available", 1));
    } else {
        json_t *alert = json_object();
        json_object_set(alert, "title", json_object_get(p, "title"));
        if (json_is_string(json_object_get(p, "body")))
            json_object_set(alert, "body", json_object_get(p, "body"));
        json_object_set_new(body, "aps", json_pack("{s:o, s:s}", "alert", alert, "sound", "default"));
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        return false;
    curl_easy_setopt(h, CURLOPT_URL, arena_sprintf(a, "%s/3/device/%s", conf.apns_url, token));
    curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, text);
    free(text);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    bool urgent = json_is_true(json_object_get(p, "urgent"));
    *hdrs = curl_slist_append(*hdrs, arena_sprintf(a, "authorization: bearer %s", jwt));
    *hdrs = curl_slist_append(*hdrs, arena_sprintf(a, "apns-topic: %s", conf.apns_topic));
    /* Apple: a background push is sent with priority 5 */
    *hdrs = curl_slist_append(*hdrs, silent ? "apns-push-type: background" : "apns-push-type: alert");
    *hdrs = curl_slist_append(*hdrs, urgent && !silent ? "apns-priority: 10" : "apns-priority: 5");
    *hdrs = curl_slist_append(*hdrs, arena_sprintf(a, "apns-collapse-id: %s",
                                                   json_string_value(json_object_get(data, "message_id"))));
    *hdrs = curl_slist_append(*hdrs, arena_sprintf(a, "apns-expiration: %ld", (long)time(NULL) + 86400));
    *hdrs = curl_slist_append(*hdrs, "content-type: application/json");
    if (conf.apns_ca)
        curl_easy_setopt(h, CURLOPT_CAINFO, conf.apns_ca);
    return true;
}

/* A webhook to another system (an SMS gateway): the message as JSON, with
 * X-QLVB-Timestamp (Unix seconds, the real clock) and X-QLVB-Signature,
 * "sha256=" and the hex HMAC-SHA256 under the shared secret of
 * "<timestamp>.<body>": the receiver checks both and refuses a replay. */
static bool prepare_webhook(struct arena *a, CURL *h, const char *token, json_t *p, struct curl_slist **hdrs)
{
    if (!conf.webhook_url || !conf.webhook_secret)
        return false;
    json_t *msg = json_pack("{s:s, s:O, s:O, s:O}", "to", token, "title", json_object_get(p, "title"),
                            "body", json_object_get(p, "body") ? json_object_get(p, "body") : json_null(),
                            "data", json_object_get(p, "data"));
    char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (!body)
        return false;
    long ts = (long)time(NULL);
    const char *signed_text = arena_sprintf(a, "%ld.%s", ts, body);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)conf.webhook_secret, strlen(conf.webhook_secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)signed_text, strlen(signed_text));
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    curl_easy_setopt(h, CURLOPT_URL, conf.webhook_url);
    curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
    free(body);
    *hdrs = curl_slist_append(*hdrs, "Content-Type: application/json; charset=UTF-8");
    *hdrs = curl_slist_append(*hdrs, arena_sprintf(a, "X-QLVB-Timestamp: %ld", ts));
    *hdrs = curl_slist_append(*hdrs, arena_sprintf(a, "X-QLVB-Signature: sha256=%s", hex));
    if (conf.webhook_ca)
        curl_easy_setopt(h, CURLOPT_CAINFO, conf.webhook_ca);
    return true;
}

bool provider_prepare(struct arena *a, CURL *h, const char *platform, const char *token, const char *payload,
                      struct curl_slist **headers)
{
    json_t *p = json_loads(payload, 0, NULL);
    if (!p)
        return false;
    bool ok = strcmp(platform, "fcm") == 0    ? prepare_fcm(a, h, token, p, headers)
            : strcmp(platform, "apns") == 0   ? prepare_apns(a, h, token, p, headers)
            : strcmp(platform, "webhook") == 0 ? prepare_webhook(a, h, token, p, headers) : false;
    json_decref(p);
    if (ok) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)provider_timeout_ms());
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    }
    return ok;
}

enum outcome provider_outcome(const char *platform, long status, const char *body, int retry_after, int *retry_s)
{
    *retry_s = -1;
    bool fcm = strcmp(platform, "fcm") == 0;
    if (status >= 200 && status < 300)
        return OUT_SENT;
    /* only what names the token as gone disables its phone: a 404 or 400
     * of a wrong project, topic or server is a dead letter an administrator
     * replays once the configuration is mended */
    if (fcm && status == 404 && body && strstr(body, "UNREGISTERED"))
        return OUT_GONE;                /* the app was uninstalled or the token replaced */
    if (!fcm && status == 410)          /* APNs: Unregistered; a webhook: the address is no more */
        return OUT_GONE;
    if (fcm && status == 401) {
        fcm_access[0] = '\0';           /* a new access token, and again at once */
        *retry_s = 0;
        return OUT_RETRY;
    }
    if (!fcm && status == 403 && body && strstr(body, "ProviderToken")) {
        apns_jwt[0] = '\0';
        *retry_s = 0;
        return OUT_RETRY;
    }
    if (status == 0 || status == 429 || status >= 500) {
        *retry_s = retry_after;         /* as the provider asks, or a backoff */
        return OUT_RETRY;
    }
    return OUT_DEAD;                    /* refused for good: a dead letter an administrator can replay */
}
