/* The signed-in user. */
#ifndef QLVB_API_ME_H
#define QLVB_API_ME_H
struct req;
void me_get(struct req *r);
#endif
