/* Books: see books.h. */
#include "books.h"
#include "audit.h"
#include "idempotency.h"
#include "schemas.h"
#include "validate.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/jsonx.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <string.h>

void books_list(struct req *r)
{
    PGresult *res = DB_RUN(&r->c, BOOKS_LIST, req_id_text(r, r->user_id));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    r->cache_control = "private, no-cache";
    resp_json_text(r, 200, PQgetvalue(res, 0, 0));
}

/* A change of books in its transaction: the statement (creating: it gives
 * the new book's id), the audit row, the book as it now is, the answer
 * kept with the Idempotency-Key. */
struct book_run {
    struct req *r;
    int64_t id;              /* 0: the statement returns the new book's id */
    int stmt, n;
    const char *const *params;
    const char *action;
    int status;
};

static bool book_tx(struct ctx *c, void *arg)
{
    struct book_run *b = arg;
    PGresult *res = db_exec(c, b->stmt, b->n, b->params);
    if (!res)
        return false;
    int64_t id = b->id ? b->id : db_ll(res, 0, 0);
    if (!audit(b->r, b->r->user_id, b->action, "book", id, NULL))
        return false;
    PGresult *book = DB_RUN(c, BOOK_GET, req_id_text(b->r, id));
    if (!book)
        return false;
    resp_json_text(b->r, b->status, PQgetvalue(book, 0, 0));
    return idem_keep_or_fail(b->r, c);
}

static void run(struct req *r, struct book_run *b)
{
    b->r = r;
    if (!db_transaction(&r->c, book_tx, b))
        resp_problem_db(r);
}

void books_create(struct req *r)
{
    json_t *body = body_valid_or_answer(r, schema_book);
    if (!body)
        return;
    const char *p[2] = { req_id_text(r, r->user_id), jsonx_text(r->a, body) };
    struct book_run b = { .stmt = DB_STMT(BOOK_CREATE, 2), .n = 2, .params = p,
                          .action = "book.created", .status = 201 };
    run(r, &b);
}

void books_change(struct req *r)
{
    int64_t id;
    if (!req_param_id(r, "book_id", &id)) {
        resp_problem(r, PROBLEM_BOOK_NOT_FOUND, SAY(r, "không có sổ này", "no such book"));
        return;
    }
    json_t *body = body_valid_or_answer(r, schema_book_change);
    if (!body)
        return;
    if (json_object_size(body) == 0) {
        resp_problem_at(r, PROBLEM_INVALID_FIELD, "", "required",
                        SAY(r, "hãy nêu điều cần đổi: name, type_codes, covers_rest hoặc closed",
                            "say what changes: name, type_codes, covers_rest or closed"));
        return;
    }
    const char *p[3] = { req_id_text(r, r->user_id), req_id_text(r, id), jsonx_text(r->a, body) };
    struct book_run b = { .id = id, .stmt = DB_STMT(BOOK_CHANGE, 3), .n = 3, .params = p,
                          .action = json_is_true(json_object_get(body, "closed")) ? "book.closed" : "book.changed",
                          .status = 200 };
    run(r, &b);
}
