/* The calendar: see calendar.h. */
#include "calendar.h"
#include "audit.h"
#include "schemas.h"
#include "validate.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/jsonx.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <stdlib.h>
#include <string.h>

/* The years the calendar keeps. */
#define YEAR_MIN 2000
#define YEAR_MAX 2100

static bool year_ok(const char *s, int *year)
{
    if (!s || strlen(s) != 4 || strspn(s, "0123456789") != 4)
        return false;
    *year = atoi(s);
    return *year >= YEAR_MIN && *year <= YEAR_MAX;
}

/* The {date} of the path: a real date of a year kept, or answers 400. */
static const char *path_date_or_answer(struct req *r)
{
    const char *d = req_param(r, "date");
    int year;
    char y[5];
    if (d && strlen(d) == 10 && valid_date(d)) {
        memcpy(y, d, 4);
        y[4] = '\0';
        if (year_ok(y, &year))
            return d;
    }
    resp_problem(r, PROBLEM_INVALID_PARAMETER,
                 SAY(r, "ngày là YYYY-MM-DD, trong các năm 2000 đến 2100",
                     "the date is YYYY-MM-DD, in the years 2000 to 2100"));
    return NULL;
}

void calendar_year(struct req *r)
{
    int year;
    const char *ys = req_param(r, "year");
    if (!year_ok(ys, &year)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     SAY(r, "năm là số từ 2000 đến 2100", "the year is a number from 2000 to 2100"));
        return;
    }
    PGresult *res = DB_RUN(&r->c, CALENDAR_YEAR, ys);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    resp_json_tagged(r, arena_sprintf(r->a, "\"k%s-%s\"", ys, PQgetvalue(res, 0, 1)), PQgetvalue(res, 0, 0));
}

void calendar_deadline(struct req *r)
{
    const char *from = req_query(r, "from"), *days = req_query(r, "working_days");
    if (from) {                        /* a '+' left unencoded in the query reads as a space */
        char *f = arena_strdup(r->a, from);
        for (char *p = f; *p; p++)
            if (*p == ' ')
                *p = '+';
        from = f;
    }
    if (!from || !valid_time(from)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     SAY(r, "from là thời điểm RFC 3339 (2026-12-02T08:30:00+07:00)",
                         "from is an RFC 3339 moment (2026-12-02T08:30:00+07:00)"));
        return;
    }
    if (!days || !*days || strlen(days) > 3 || strspn(days, "0123456789") != strlen(days) ||
        atoi(days) < 1 || atoi(days) > 365) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     SAY(r, "working_days là số nguyên từ 1 đến 365", "working_days is a whole number from 1 to 365"));
        return;
    }
    PGresult *res = DB_RUN(&r->c, CALENDAR_DEADLINE, from, days);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQgetisnull(res, 0, 0)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     SAY(r, "hạn tính được nằm ngoài các năm lịch lưu", "the deadline falls outside the years kept"));
        return;
    }
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, 200, body);
}

struct day_run {
    struct req *r;
    const char *date, *body;
};

static bool put_tx(struct ctx *c, void *arg)
{
    struct day_run *d = arg;
    PGresult *res = DB_RUN(c, CALENDAR_DAY_PUT, req_id_text(d->r, d->r->user_id), d->date, d->body);
    if (!res || !audit(d->r, d->r->user_id, "calendar.day_set", "calendar_day", 0, PQgetvalue(res, 0, 0)))
        return false;
    resp_json_text(d->r, 200, PQgetvalue(res, 0, 0));
    return true;
}

void calendar_day_put(struct req *r)
{
    const char *date = path_date_or_answer(r);
    if (!date)
        return;
    json_t *body = body_valid_or_answer(r, schema_calendar_day);
    if (!body)
        return;
    struct day_run d = { r, date, jsonx_text(r->a, body) };
    if (!db_transaction(&r->c, put_tx, &d))
        resp_problem_db(r);
}

static bool delete_tx(struct ctx *c, void *arg)
{
    struct day_run *d = arg;
    return DB_RUN(c, CALENDAR_DAY_DELETE, req_id_text(d->r, d->r->user_id), d->date) &&
           audit(d->r, d->r->user_id, "calendar.day_removed", "calendar_day", 0,
                 arena_sprintf(d->r->a, "{\"date\":\"%s\"}", d->date));
}

void calendar_day_delete(struct req *r)
{
    const char *date = path_date_or_answer(r);
    if (!date)
        return;
    struct day_run d = { r, date, NULL };
    if (!db_transaction(&r->c, delete_tx, &d)) {
        resp_problem_db(r);
        return;
    }
    resp_raw(r, 204, NULL, NULL, 0);
}
