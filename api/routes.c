/* Every endpoint of the API; each is in mobile-spec/openapi.yaml first. */
#include "routes.h"
#include "auth.h"
#include "documents.h"
#include "files.h"
#include "health.h"
#include "inbox.h"
#include "me.h"

const struct route api_routes[] = {
    { "GET",  "/api/v1/health",       health_get,   AUTH_NONE },
    { "POST", "/api/v1/auth/login",   auth_login,   AUTH_NONE },
    { "POST", "/api/v1/auth/refresh", auth_refresh, AUTH_NONE },
    { "POST", "/api/v1/auth/logout",  auth_logout,  AUTH_USER },
    { "GET",  "/api/v1/me",           me_get,       AUTH_USER },

    { "GET",  "/api/v1/inbox",                    inbox_list,   AUTH_USER },
    { "GET",  "/api/v1/inbox/counts",             inbox_counts, AUTH_USER },
    { "POST", "/api/v1/inbox/batch",              inbox_batch,  AUTH_USER | IDEMPOTENT },

    { "GET",  "/api/v1/documents",                doc_search,          AUTH_USER },
    { "POST", "/api/v1/documents/incoming",       doc_create_incoming, AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/outgoing",       doc_create_outgoing, AUTH_USER | IDEMPOTENT },
    { "GET",  "/api/v1/documents/{id}",           doc_get,             AUTH_USER },
    { "POST", "/api/v1/documents/{id}/register",  doc_register,        AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/present",   doc_present,         AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/direct",    doc_direct,          AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/progress",  doc_progress,        AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/submit",    doc_submit,          AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/approve",   doc_approve,         AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/return",    doc_return,          AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/sign",      doc_sign,            AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/issue",     doc_issue,           AUTH_USER | IDEMPOTENT },
    { "POST", "/api/v1/documents/{id}/files",     files_upload,        AUTH_USER | IDEMPOTENT | BODY_RAW },
    { "GET",  "/api/v1/files/{id}",               files_download,      AUTH_USER },
    { NULL, NULL, NULL, 0 },
};

void api_worker_init(void)
{
    auth_worker_init();
}
