/* The API's route table: every endpoint, each in mobile-spec/openapi.yaml
 * first, with its handler and flags. */
#ifndef QLVB_API_ROUTES_H
#define QLVB_API_ROUTES_H
#include "../fcgi/router.h"
extern const struct route routes_table[];
#endif
