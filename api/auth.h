/* Sign-in: login, refresh with rotation and reuse detection, logout, and
 * the bearer-token check every authenticated route goes through. */
#ifndef QLVB_API_AUTH_H
#define QLVB_API_AUTH_H

#include <stdbool.h>

struct req;

/* Checks the Bearer token and its session; sets r->user_id and
 * r->session_id, or answers 401/503 itself and returns false. */
bool auth_authenticate(struct req *r);

/* Per worker process, after fork. */
void auth_worker_init(void);

int auth_login(struct req *r);
int auth_refresh(struct req *r);
int auth_logout(struct req *r);

#endif
