/* Accounts: see accounts.h. Who may manage an account is decided in SQL
 * (account_managed_by in sql/functions/signin.sql). */
#include "accounts.h"
#include "audit.h"
#include "auth.h"
#include "idempotency.h"
#include "schemas.h"
#include "validate.h"
#include "../cache/sessions.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/password.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <sodium.h>
#include <string.h>

/* The new password's argon2id hash in the arena, or NULL after answering. */
static const char *hash_or_answer(struct req *r, const char *password)
{
    char *hash = arena_alloc(r->a, crypto_pwhash_STRBYTES);
    if (!auth_hash_slot_or_answer(r))
        return NULL;
    int rc = crypto_pwhash_str(hash, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT);
    auth_hash_slot_release();
    if (rc != 0) {
        resp_problem(r, PROBLEM_INTERNAL_ERROR, SAY(r, "không băm được mật khẩu", "the password could not be hashed"));
        return NULL;
    }
    return hash;
}

/* One account change in its transaction: the statement (its rows are the
 * sessions it ended), the audit row, the answer kept with the
 * Idempotency-Key; after the commit, the ended sessions go to Redis. */
struct change {
    struct req *r;
    int stmt, n;
    const char *const *params;
    const char *action;
    int64_t user;
    PGresult *ended;
};

static bool change_tx(struct ctx *c, void *arg)
{
    struct change *ch = arg;
    ch->ended = db_exec(c, ch->stmt, ch->n, ch->params);
    if (!ch->ended || !audit(ch->r, ch->r->user_id, ch->action, "user", ch->user, NULL))
        return false;
    resp_no_content(ch->r);
    return idem_keep_or_fail(ch->r, c);
}

static void change(struct req *r, struct change *ch)
{
    ch->r = r;
    if (!db_transaction(&r->c, change_tx, ch)) {
        resp_problem_db(r);
        return;
    }
    for (int i = 0; i < PQntuples(ch->ended); i++)
        if (!PQgetisnull(ch->ended, i, 0))
            sessions_revoked_mirror(&r->c, db_ll(ch->ended, i, 0));
}

static bool user_id_or_answer(struct req *r, int64_t *id)
{
    if (req_param_id(r, "user_id", id))
        return true;
    resp_problem(r, PROBLEM_USER_NOT_FOUND, SAY(r, "không có người dùng này", "no such user"));
    return false;
}

void accounts_my_password(struct req *r)
{
    json_t *b = body_valid_or_answer(r, schema_password_change);
    if (!b)
        return;
    const char *current = json_string_value(json_object_get(b, "current_password"));
    const char *next = json_string_value(json_object_get(b, "new_password"));
    const char *uid = req_id_text(r, r->user_id);
    PGresult *res = DB_RUN(&r->c, ME_PASSWORD_HASH, uid);
    if (!res || PQntuples(res) != 1) {
        resp_problem_db(r);
        return;
    }
    const char *stored = PQgetvalue(res, 0, 0), *username = arena_strdup(r->a, PQgetvalue(res, 0, 1));
    /* the current password is guessed no faster here than at sign-in: a
     * wrong one counts as a failed sign-in, and a locked name is refused */
    if (!auth_name_open_or_answer(r, username))
        return;
    if (!auth_hash_slot_or_answer(r))
        return;
    bool right = crypto_pwhash_str_verify(stored, current, strlen(current)) == 0;
    auth_hash_slot_release();
    if (!right) {
        if (!DB_RUN(&r->c, LOGIN_FAIL, username, AUTH_LOCK_AFTER_FAILURES)) {
            resp_problem_db(r);
            return;
        }
        resp_problem(r, PROBLEM_WRONG_PASSWORD, SAY(r, "mật khẩu hiện tại không đúng; không có gì thay đổi", "the current password is not right; nothing changed"));
        return;
    }
    if (strspn(next, " \t") == strlen(next)) {
        resp_problem_at(r, PROBLEM_INVALID_FIELD, "/new_password", "length",
                        SAY(r, "mật khẩu mới không được để trống", "the new password cannot be blank"));
        return;
    }
    const char *hash = hash_or_answer(r, next);
    if (!hash)
        return;
    /* every other sign-in ends; this one goes on */
    const char *p[3] = { uid, hash, req_id_text(r, r->session_id) };
    struct change ch = { .stmt = DB_STMT(ME_PASSWORD_SET, 3), .n = 3, .params = p,
                         .action = "user.password_changed", .user = r->user_id };
    change(r, &ch);
}

static void set_active(struct req *r, bool active)
{
    int64_t id;
    if (!user_id_or_answer(r, &id) || !body_valid_or_answer(r, schema_empty))
        return;
    const char *p[3] = { req_id_text(r, r->user_id), req_id_text(r, id), active ? "true" : "false" };
    struct change ch = { .stmt = DB_STMT(ACCOUNT_SET_ACTIVE, 3), .n = 3, .params = p,
                         .action = active ? "user.reactivated" : "user.deactivated", .user = id };
    change(r, &ch);
}

void accounts_deactivate(struct req *r)
{
    set_active(r, false);
}

void accounts_reactivate(struct req *r)
{
    set_active(r, true);
}

void accounts_reset_password(struct req *r)
{
    int64_t id;
    json_t *b;
    if (!user_id_or_answer(r, &id) || !(b = body_valid_or_answer(r, schema_password_reset)))
        return;
    const char *hash = hash_or_answer(r, json_string_value(json_object_get(b, "new_password")));
    if (!hash)
        return;
    const char *p[3] = { req_id_text(r, r->user_id), req_id_text(r, id), hash };
    struct change ch = { .stmt = DB_STMT(ACCOUNT_PASSWORD_RESET, 3), .n = 3, .params = p,
                         .action = "user.password_reset", .user = id };
    change(r, &ch);
}

void accounts_unlock(struct req *r)
{
    int64_t id;
    if (!user_id_or_answer(r, &id) || !body_valid_or_answer(r, schema_empty))
        return;
    const char *p[2] = { req_id_text(r, r->user_id), req_id_text(r, id) };
    struct change ch = { .stmt = DB_STMT(ACCOUNT_UNLOCK, 2), .n = 2, .params = p,
                         .action = "user.unlocked", .user = id };
    change(r, &ch);
}
