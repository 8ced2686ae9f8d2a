/* Health of the worker's dependencies. */
#ifndef QLVB_API_HEALTH_H
#define QLVB_API_HEALTH_H
struct req;
void health_get(struct req *r);
#endif
