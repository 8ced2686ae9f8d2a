/* Accounts: a user changes their own password; an administrator of the
 * user's agency deactivates, reactivates, resets the password of and
 * unlocks an account. Each change that should end sign-ins ends them at
 * once (in PostgreSQL, and in Redis for the tokens still alive). */
#ifndef QLVB_API_ACCOUNTS_H
#define QLVB_API_ACCOUNTS_H
struct req;
void accounts_my_password(struct req *r);
void accounts_deactivate(struct req *r);
void accounts_reactivate(struct req *r);
void accounts_reset_password(struct req *r);
void accounts_unlock(struct req *r);
#endif
