/* The push providers qlvb-notify sends to, from configuration (README):
 * FCM HTTP v1 (an OAuth access token obtained with the service account's
 * signed assertion, kept until it expires), APNs over HTTP/2 (a provider
 * token signed ES256, kept 40 minutes). Credentials are signed with the
 * real clock, never the one clock's test offset. */
#ifndef QLVB_NOTIFY_PROVIDERS_H
#define QLVB_NOTIFY_PROVIDERS_H

#include <curl/curl.h>
#include <stdbool.h>

struct arena;

/* What a provider answered, as the outbox records it. */
enum outcome { OUT_SENT, OUT_RETRY, OUT_GONE, OUT_DEAD };

/* Reads the configuration; false (logged) when a configured credential
 * cannot be read. A provider left unconfigured refuses its sends for
 * retry, and they end as dead letters. */
bool providers_load(void);

/* Prepares an HTTP request for one send on h (a fresh easy handle): its URL,
 * headers and body, from the send's platform, token and payload (JSON).
 * False when the provider is not configured or its credential cannot be
 * had now. *headers is for the caller to free after the transfer. */
bool provider_prepare(struct arena *a, CURL *h, const char *platform, const char *token, const char *payload,
                      struct curl_slist **headers);

/* Classifies an answer: HTTP status (0: no answer), its body, its
 * Retry-After in seconds (-1: none). *retry_s is set for OUT_RETRY (-1:
 * back off). */
enum outcome provider_outcome(const char *platform, long status, const char *body, int retry_after,
                              int *retry_s);

/* The timeout of one send, milliseconds. */
int provider_timeout_ms(void);

#endif
