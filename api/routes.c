/* Every endpoint of the API; each is in mobile-spec/openapi.yaml first. */
#include "routes.h"
#include "auth.h"
#include "health.h"
#include "me.h"

const struct route api_routes[] = {
    { "GET",  "/api/v1/health",       health_get,   AUTH_NONE },
    { "POST", "/api/v1/auth/login",   auth_login,   AUTH_NONE },
    { "POST", "/api/v1/auth/refresh", auth_refresh, AUTH_NONE },
    { "POST", "/api/v1/auth/logout",  auth_logout,  AUTH_USER },
    { "GET",  "/api/v1/me",           me_get,       AUTH_USER },
    { NULL, NULL, NULL, 0 },
};

void api_worker_init(void)
{
    auth_worker_init();
}
