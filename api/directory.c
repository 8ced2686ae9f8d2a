/* The directory: see directory.h. */
#include "directory.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <stdlib.h>
#include <string.h>

static const char *const positions[] = { "leader", "deputy_leader", "head", "deputy_head", "official", "clerk",
                                         "admin", NULL };
static const char *const roles[] = { "clerk", "tracker", "admin", "calendar", NULL };

/* Answers the JSON of res (column 0; NULL: not found) with its hash as the
 * ETag, or 304 when the client holds it already. */
static void answer_cached(struct req *r, PGresult *res)
{
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQgetisnull(res, 0, 0)) {
        resp_problem(r, PROBLEM_AGENCY_NOT_FOUND, SAY(r, "không có cơ quan đang hoạt động nào mang mã này", "no open agency has this code"));
        return;
    }
    resp_json_tagged(r, arena_sprintf(r->a, "\"c%s\"", PQgetvalue(res, 0, 1)), PQgetvalue(res, 0, 0));
}

static bool one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(*set, v) == 0)
            return true;
    return false;
}

void directory_agencies(struct req *r)
{
    const char *include = req_query(r, "include");
    if (include && strcmp(include, "closed") != 0) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "include chỉ nhận giá trị closed; không gửi include để chỉ lấy các cơ quan đang hoạt động", "include is closed, or absent for the open agencies only"));
        return;
    }
    answer_cached(r, DB_RUN(&r->c, DIRECTORY_AGENCIES, include ? "true" : "false"));
}

void directory_members(struct req *r)
{
    const char *code = req_param(r, "code"), *position = req_query(r, "position"), *role = req_query(r, "role");
    const char *unit = req_query(r, "unit_id");
    if (position && !one_of(position, positions)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     SAY(r, "position là leader, deputy_leader, head, deputy_head, official, clerk hoặc admin", "position is leader, deputy_leader, head, deputy_head, official, clerk or admin"));
        return;
    }
    if (role && !one_of(role, roles)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "role là clerk, tracker, admin hoặc calendar", "role is clerk, tracker, admin or calendar"));
        return;
    }
    if (unit && (!*unit || strspn(unit, "0123456789") != strlen(unit) || strlen(unit) > 18 || atoll(unit) < 1)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "unit_id là một số nguyên dương", "unit_id is a positive integer id"));
        return;
    }
    answer_cached(r, DB_RUN(&r->c, DIRECTORY_MEMBERS, req_id_text(r, r->user_id), code, position, role, unit));
}

void directory_catalogues(struct req *r)
{
    answer_cached(r, DB_RUN0(&r->c, DIRECTORY_CATALOGUES));
}
