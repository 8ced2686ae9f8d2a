/* The inbox's page cursor: see cursor.h. */
#include "cursor.h"
#include "../fcgi/arena.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The text a cursor holds (base64url without padding), at most max bytes;
 * NULL when it is not that. */
static const char *decode(struct arena *a, const char *opaque, size_t max)
{
    unsigned char raw[48];
    size_t n;
    const char *end;
    if (max >= sizeof raw ||
        sodium_base642bin(raw, max, opaque, strlen(opaque), NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || *end)
        return NULL;
    raw[n] = '\0';
    return memchr(raw, '\0', n) ? NULL : arena_strdup(a, (const char *)raw);
}

bool cursor_parse(struct arena *a, const char *opaque, const char **ts, const char **id)
{
    /* "micros_id": at most 37 bytes */
    const char *c = decode(a, opaque, 39);
    if (!c)
        return false;
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
    /* "i<digits>" */
    const char *c = decode(a, opaque, 23);
    size_t n = c ? strlen(c) : 0;
    if (n < 2 || n > 19 || c[0] != 'i' || strspn(c + 1, "0123456789") != n - 1)
        return false;
    *id = c + 1;
    return true;
}
