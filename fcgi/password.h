/* Password hashing cost: argon2id with t=2, m=19 MiB, p=1 (OWASP's
 * baseline), about 45 ms here. The cost is stored in each hash, so raising
 * it later only affects new hashes. */
#ifndef QLVB_PASSWORD_H
#define QLVB_PASSWORD_H
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u << 20)
#endif
