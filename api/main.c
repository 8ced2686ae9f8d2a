/* qlvb-api: the FastCGI server behind nginx. The application describes
 * itself (routes, hooks, its statements and problems) and hands that to the
 * runtime's server. Configuration comes from the environment (README); it
 * refuses to start with an unsafe JWT key file. */
#include "auth.h"
#include "idempotency.h"
#include "routes.h"
#include "../fcgi/config.h"
#include "../fcgi/log.h"
#include "../fcgi/server.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <sodium.h>
#include <stdio.h>

static const struct app qlvb_api = {
    .name = "qlvb-api",
    .routes = routes_table,
    .statements = statements_list,
    .statement_count = STMT_COUNT,
    .problems = problems_registry,
    .problem_count = PROBLEM_COUNT,
    .worker_init = auth_worker_init,
    .authenticate = auth_authenticate_or_answer,
    .before = idem_before,
    .after = idem_after,
};

int main(void)
{
    if (config_load() != 0)
        return 2;
    if (sodium_init() < 0) {
        log_error(NULL, "msg=\"libsodium cannot start\"");
        return 1;
    }
    if (!cfg.jwt_keys_file) {
        log_line("fatal", NULL, "msg=\"QLVB_JWT_KEYS_FILE is not set\"");
        return 2;
    }
    char err[512];
    if (auth_keys_load(cfg.jwt_keys_file, err, sizeof err) != 0) {
        log_line("fatal", NULL, "msg=\"%s\"", err);
        return 2;
    }
    return server_run(&qlvb_api);
}
