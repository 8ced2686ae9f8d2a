/* The API's route table and the per-worker set-up of its modules. */
#ifndef QLVB_API_ROUTES_H
#define QLVB_API_ROUTES_H
#include "../fcgi/router.h"
extern const struct route api_routes[];
void api_worker_init(void);
#endif
