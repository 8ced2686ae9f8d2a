/* Sign-in: login, refresh with rotation and reuse detection, logout, and
 * the bearer-token check every authenticated route goes through. */
#ifndef QLVB_API_AUTH_H
#define QLVB_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct req;

/* Loads the JWT key file (README: QLVB_JWT_KEYS_FILE); 0, or -1 with err. */
int auth_keys_load(const char *path, char *err, size_t errlen);

/* Checks the Bearer token and its session; sets r->user_id and
 * r->session_id, or answers 401/503 itself and returns false. */
bool auth_authenticate_or_answer(struct req *r);

/* Per worker process, after fork. */
void auth_worker_init(void);

/* A slot to hash or check a password (argon2id, a few at a time per
 * process); answers 503 busy and returns false when none frees in 100 ms.
 * auth_hash_slot_release gives it back. */
bool auth_hash_slot_or_answer(struct req *r);
void auth_hash_slot_release(void);

/* Failed sign-ins in a row that lock a name (sql/functions/signin.sql). */
#define AUTH_LOCK_AFTER_FAILURES "5"

/* False, after answering 429 (or 503), when failed sign-ins locked the
 * name. */
bool auth_name_open_or_answer(struct req *r, const char *name);

void auth_login(struct req *r);
void auth_refresh(struct req *r);
/* The user's own sessions: list, end one, end all others (each ended
 * session's tokens stop working at once). */
void auth_sessions_list(struct req *r);
void auth_session_end(struct req *r);
void auth_sessions_end_others(struct req *r);
void auth_logout(struct req *r);

#endif
