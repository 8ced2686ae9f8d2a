/* Route matching: see router.h. */
#include "router.h"

#include <stdbool.h>
#include <string.h>

/* Matches path against pattern segment by segment, capturing {name}s. */
static bool pattern_match(const char *pat, const char *path, struct route_match *m)
{
    m->nparams = 0;
    while (*pat && *path) {
        if (*pat != '/' || *path != '/')
            return false;
        pat++;
        path++;
        const char *pe = pat + strcspn(pat, "/");
        const char *se = path + strcspn(path, "/");
        if (*pat == '{') {
            if (se == path || m->nparams == ROUTE_MAX_PARAMS)
                return false;
            int i = m->nparams++;
            m->names[i] = pat + 1;
            m->name_lens[i] = (size_t)(pe - pat - 2);
            m->values[i] = path;
            m->value_lens[i] = (size_t)(se - path);
        } else if (pe - pat != se - path || memcmp(pat, path, (size_t)(pe - pat)) != 0) {
            return false;
        }
        pat = pe;
        path = se;
    }
    return *pat == '\0' && *path == '\0';
}

enum route_result route_find(const struct route *routes, const char *method,
                             const char *path, struct route_match *m)
{
    bool path_seen = false;
    size_t alen = 0;
    m->allow[0] = '\0';
    m->route = NULL;
    for (const struct route *r = routes; r->method; r++) {
        struct route_match tmp;
        if (!pattern_match(r->pattern, path, &tmp))
            continue;
        if (strcmp(r->method, method) == 0) {
            *m = tmp;
            m->route = r;
            return ROUTE_FOUND;
        }
        path_seen = true;
        size_t ml = strlen(r->method);
        if (!strstr(m->allow, r->method) && alen + ml + 3 < sizeof m->allow) {
            if (alen) {
                memcpy(m->allow + alen, ", ", 2);
                alen += 2;
            }
            memcpy(m->allow + alen, r->method, ml + 1);
            alen += ml;
        }
    }
    return path_seen ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
