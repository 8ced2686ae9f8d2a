/* The inbox's page cursor: see cursor.h. */
#include "cursor.h"
#include "../fcgi/arena.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool cursor_parse(struct arena *a, const char *opaque, const char **ts, const char **id)
{
    /* base64url without padding of "micros_id": at most 37 bytes */
    unsigned char raw[40];
    size_t n;
    const char *end;
    if (sodium_base642bin(raw, sizeof raw - 1, opaque, strlen(opaque), NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || *end)
        return false;
    raw[n] = '\0';
    if (memchr(raw, '\0', n))
        return false;
    const char *c = arena_strdup(a, (const char *)raw);
    const char *us = strchr(c, '_');
    if (!us || us == c || strspn(c, "0123456789") != (size_t)(us - c) || us - c > 18 ||
        !us[1] || strspn(us + 1, "0123456789") != strlen(us + 1) || strlen(us + 1) > 18)
        return false;
    long long micros = strtoll(c, NULL, 10);
    time_t secs = (time_t)(micros / 1000000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return false;
    *ts = arena_sprintf(a, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros % 1000000);
    *id = us + 1;
    return true;
}

bool cursor_parse_id(struct arena *a, const char *opaque, const char **id)
{
    /* base64url without padding of "i<digits>" */
    unsigned char raw[24];
    size_t n;
    const char *end;
    if (sodium_base642bin(raw, sizeof raw - 1, opaque, strlen(opaque), NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || *end)
        return false;
    raw[n] = '\0';
    if (n < 2 || n > 19 || raw[0] != 'i' || strspn((const char *)raw + 1, "0123456789") != n - 1)
        return false;
    *id = arena_strdup(a, (const char *)raw + 1);
    return true;
}
