/* GET /api/v1/me: the signed-in user with memberships. */
#include "me.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

void me_get(struct req *r)
{
    const char *p[1] = { arena_sprintf(r->a, "%lld", (long long)r->user_id) };
    PGresult *u = DB_RUNA(&r->c, ME_USER, p);
    if (!u) {
        resp_problem_db(r);
        return;
    }
    if (PQntuples(u) != 1) {
        resp_problem(r, PROBLEM_USER_NOT_FOUND, NULL);
        return;
    }
    PGresult *m = DB_RUNA(&r->c, ME_MEMBERSHIPS, p);
    if (!m) {
        resp_problem_db(r);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(db_ll(u, 0, 0)));
    json_object_set_new(o, "username", json_string(db_val(u, 0, 1)));
    json_object_set_new(o, "full_name", json_string(db_val(u, 0, 2)));
    json_object_set_new(o, "email", str_or_null(db_val(u, 0, 3)));
    json_object_set_new(o, "phone", str_or_null(db_val(u, 0, 4)));
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(m); i++) {
        json_t *ms = json_object(), *ag = json_object();
        json_object_set_new(ag, "id", json_integer(db_ll(m, i, 0)));
        json_object_set_new(ag, "code", json_string(db_val(m, i, 1)));
        json_object_set_new(ag, "name", json_string(db_val(m, i, 2)));
        json_object_set_new(ag, "abbr", json_string(db_val(m, i, 3)));
        json_object_set_new(ms, "agency", ag);
        if (db_val(m, i, 4)) {
            json_t *un = json_object();
            json_object_set_new(un, "id", json_integer(db_ll(m, i, 4)));
            json_object_set_new(un, "name", json_string(db_val(m, i, 5)));
            json_object_set_new(un, "abbr", json_string(db_val(m, i, 6)));
            json_object_set_new(ms, "unit", un);
        } else {
            json_object_set_new(ms, "unit", json_null());
        }
        json_object_set_new(ms, "position", json_string(db_val(m, i, 7)));
        json_object_set_new(ms, "title", json_string(db_val(m, i, 8)));
        json_t *roles = json_loads(db_val(m, i, 9), 0, NULL);
        json_object_set_new(ms, "roles", roles ? roles : json_array());
        json_object_set_new(ms, "is_primary", json_boolean(db_bool(m, i, 10)));
        json_array_append_new(arr, ms);
    }
    json_object_set_new(o, "memberships", arr);
    resp_json(r, 200, o);
}
