/* Every endpoint of the API; each is in mobile-spec/openapi.yaml first. */
#include "routes.h"
#include "accounts.h"
#include "auth.h"
#include "books.h"
#include "calendar.h"
#include "directives.h"
#include "directory.h"
#include "documents.h"
#include "files.h"
#include "health.h"
#include "idempotency.h"
#include "inbox.h"
#include "me.h"
#include "notices.h"
#include "registers.h"
#include "tasks.h"

const struct route routes_table[] = {
    { "GET",  "/api/v1/health",       health_get,   AUTH_NONE, NULL },
    { "POST", "/api/v1/auth/login",   auth_login,   AUTH_NONE, NULL },
    { "POST", "/api/v1/auth/refresh", auth_refresh, AUTH_NONE, NULL },
    { "POST", "/api/v1/auth/logout",  auth_logout,  AUTH_USER, NULL },
    { "GET",  "/api/v1/me",           me_get,       AUTH_USER, NULL },
    { "POST", "/api/v1/me/password",  accounts_my_password, AUTH_USER, NULL },   /* no key: it would keep a hash of passwords */
    { "GET",    "/api/v1/me/sessions",                 auth_sessions_list,       AUTH_USER, NULL },
    { "POST",   "/api/v1/me/sessions/end-others",      auth_sessions_end_others, AUTH_USER | IDEMPOTENT, NULL },
    { "DELETE", "/api/v1/me/sessions/{session_id}",    auth_session_end,         AUTH_USER, NULL },
    /* phones and notifications: sql/functions/notifications.sql */
    { "GET",    "/api/v1/me/devices",                  devices_list,             AUTH_USER, NULL },
    { "PUT",    "/api/v1/me/devices/{device_id}",      devices_put,              AUTH_USER, NULL },
    { "DELETE", "/api/v1/me/devices/{device_id}",      devices_delete,           AUTH_USER, NULL },
    { "GET",    "/api/v1/me/notification-settings",    notice_settings_get,      AUTH_USER, NULL },
    { "PUT",    "/api/v1/me/notification-settings",    notice_settings_put,      AUTH_USER, NULL },
    { "GET",    "/api/v1/me/notifications",            notices_list,             AUTH_USER, NULL },
    { "GET",    "/api/v1/me/notifications/changes",    notices_changes,          AUTH_USER, NULL },
    { "POST",   "/api/v1/me/notifications/{id}/read",  notices_read,             AUTH_USER, NULL },
    /* an administrator of the user's agency: account_managed_by in sql/functions/signin.sql */
    { "POST", "/api/v1/users/{user_id}/deactivate", accounts_deactivate,     AUTH_USER | IDEMPOTENT, NULL },
    { "POST", "/api/v1/users/{user_id}/reactivate", accounts_reactivate,     AUTH_USER | IDEMPOTENT, NULL },
    { "POST", "/api/v1/users/{user_id}/password",   accounts_reset_password, AUTH_USER, NULL },
    { "POST", "/api/v1/users/{user_id}/unlock",     accounts_unlock,         AUTH_USER | IDEMPOTENT, NULL },

    /* the directory: sql/functions/directory.sql says who sees what */
    { "GET",  "/api/v1/directory/agencies",                directory_agencies,   AUTH_USER, NULL },
    { "GET",  "/api/v1/directory/agencies/{code}/members", directory_members,    AUTH_USER, NULL },
    { "GET",  "/api/v1/catalogues",                        directory_catalogues, AUTH_USER, NULL },

    { "GET",  "/api/v1/inbox",                    inbox_list,   AUTH_USER, NULL },
    { "GET",  "/api/v1/inbox/counts",             inbox_counts, AUTH_USER, NULL },
    { "GET",  "/api/v1/inbox/changes",            inbox_changes, AUTH_USER, NULL },
    { "POST", "/api/v1/inbox/batch",              inbox_batch,  AUTH_USER | IDEMPOTENT, NULL },

    { "GET",  "/api/v1/documents",                doc_search,          AUTH_USER, NULL },
    { "POST", "/api/v1/documents/incoming",       doc_create_incoming, AUTH_USER | IDEMPOTENT, NULL },
    { "POST", "/api/v1/documents/outgoing",       doc_create_outgoing, AUTH_USER | IDEMPOTENT, NULL },
    { "GET",  "/api/v1/documents/{id}",           doc_get,             AUTH_USER, NULL },
    /* The workflow steps: each runs the SQL function of its name in
     * sql/functions/workflow.sql (register: doc_register_received; present:
     * doc_present; ... approve: doc_approve; issue: doc_issue), which decides
     * who may take the step and in which state, in the step's transaction;
     * api/documents.c only checks the body's shape (its STEP table). */
    { "POST", "/api/v1/documents/{id}/register", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_register },
    { "POST", "/api/v1/documents/{id}/present", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_present },
    { "POST", "/api/v1/documents/{id}/direct", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_direct },
    { "POST", "/api/v1/documents/{id}/progress", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_progress },
    { "POST", "/api/v1/documents/{id}/submit", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_submit },
    { "POST", "/api/v1/documents/{id}/approve", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_approve },
    { "POST", "/api/v1/documents/{id}/return", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_return },
    { "POST", "/api/v1/documents/{id}/sign", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_sign },
    { "POST", "/api/v1/documents/{id}/issue", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_issue },
    /* recall: doc_recall_order and doc_recall_carry_out */
    { "POST", "/api/v1/documents/{id}/recall", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_recall },
    { "POST", "/api/v1/documents/{id}/recall/carry-out", doc_step, AUTH_USER | IDEMPOTENT, &doc_step_recall_carry_out },
    { "POST", "/api/v1/documents/{id}/files",     files_upload,        AUTH_USER | IDEMPOTENT | BODY_RAW, NULL },
    /* books: book_create and book_change in sql/functions/books.sql decide */
    { "GET",   "/api/v1/books",            books_list,   AUTH_USER, NULL },
    { "POST",  "/api/v1/books",            books_create, AUTH_USER | IDEMPOTENT, NULL },
    { "PATCH", "/api/v1/books/{book_id}",  books_change, AUTH_USER | IDEMPOTENT, NULL },
    /* tasks: sql/functions/tasks.sql decides who sees a task and who may take each step (task_refusal) */
    { "GET",  "/api/v1/me/tasks",                     tasks_mine,   AUTH_USER, NULL },
    { "POST", "/api/v1/tasks",                        tasks_create, AUTH_USER | IDEMPOTENT, NULL },
    { "GET",  "/api/v1/tasks/{id}",                   tasks_get,    AUTH_USER, NULL },
    { "POST", "/api/v1/tasks/{id}/progress",          tasks_step,   AUTH_USER | IDEMPOTENT, &task_step_progress },
    { "POST", "/api/v1/tasks/{id}/complete",          tasks_step,   AUTH_USER | IDEMPOTENT, &task_step_complete },
    { "POST", "/api/v1/tasks/{id}/confirm",           tasks_step,   AUTH_USER | IDEMPOTENT, &task_step_confirm },
    { "POST", "/api/v1/tasks/{id}/return",            tasks_step,   AUTH_USER | IDEMPOTENT, &task_step_return },
    { "POST", "/api/v1/tasks/{id}/extension",         tasks_step,   AUTH_USER | IDEMPOTENT, &task_step_extension },
    { "POST", "/api/v1/tasks/{id}/extension/decide",  tasks_step,   AUTH_USER | IDEMPOTENT, &task_step_decide },
    /* directives: sql/functions/directives.sql decides who records, reads and follows them */
    { "POST", "/api/v1/directives",                directives_create,  AUTH_USER | IDEMPOTENT, NULL },
    { "GET",  "/api/v1/directives",                directives_list,    AUTH_USER, NULL },
    { "GET",  "/api/v1/directives/stats",          directives_stats,   AUTH_USER, NULL },
    { "GET",  "/api/v1/directives/overdue",        directives_overdue, AUTH_USER, NULL },
    { "GET",  "/api/v1/directives/export",         directives_export,  AUTH_USER, NULL },
    { "GET",  "/api/v1/directives/{id}",           directives_get,     AUTH_USER, NULL },
    { "POST", "/api/v1/directives/{id}/remind",    directives_remind,  AUTH_USER | IDEMPOTENT, NULL },
    /* the working-day calendar: calendar_day_put in sql/functions/calendar.sql decides who edits */
    { "GET",    "/api/v1/calendar/deadline",     calendar_deadline,   AUTH_USER, NULL },
    { "GET",    "/api/v1/calendar/years/{year}", calendar_year,       AUTH_USER, NULL },
    { "PUT",    "/api/v1/calendar/days/{date}",  calendar_day_put,    AUTH_USER, NULL },
    { "DELETE", "/api/v1/calendar/days/{date}",  calendar_day_delete, AUTH_USER, NULL },
    /* who may read a register: register_lines in sql/functions/books.sql */
    { "GET",  "/api/v1/registers/{direction}",    registers_export,    AUTH_USER, NULL },
    { "GET",  "/api/v1/files/{id}",               files_download,      AUTH_USER, NULL },
    { "HEAD", "/api/v1/files/{id}",               files_download,      AUTH_USER, NULL },
    { NULL, NULL, NULL, 0, NULL },
};
