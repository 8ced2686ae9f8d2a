/* Audit rows: see audit.h. */
#include "audit.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

bool audit(struct req *r, int64_t user_id, const char *action, const char *object_type,
           int64_t object_id, const char *detail)
{
    const char *p[7] = {
        user_id ? arena_sprintf(r->a, "%lld", (long long)user_id) : NULL,
        action,
        object_type,
        object_id ? arena_sprintf(r->a, "%lld", (long long)object_id) : NULL,
        r->remote_addr,
        r->c.request_id,
        detail,
    };
    return DB_RUNA(&r->c, AUDIT, p) != NULL;
}
