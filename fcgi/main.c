/* qlvb-api: the FastCGI server behind nginx. Configuration comes from the
 * environment (README); it refuses to start with an unsafe JWT key file. */
#include "config.h"
#include "log.h"
#include "server.h"
#include "../api/routes.h"

#include <sodium.h>
#include <stdio.h>

int main(void)
{
    if (config_load() != 0)
        return 2;
    if (sodium_init() < 0) {
        log_error(NULL, "msg=\"libsodium cannot start\"");
        return 1;
    }
    char err[512];
    if (jwt_keys_load(cfg.jwt_keys_file, &server_keys, err, sizeof err) != 0) {
        log_line("fatal", NULL, "msg=\"%s\"", err);
        return 2;
    }
    return server_run(api_routes, api_worker_init);
}
