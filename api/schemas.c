/* The request field tables: see schemas.h. Each mirrors the schema of the
 * same name in mobile-spec/openapi.yaml; change the spec first. */
#include "schemas.h"

#include <stddef.h>

#define END { NULL, 0, false, 0, 0, NULL, NULL }

static const char *const roles[] = { "main", "coordinate", "info", NULL };
static const char *const progress_actions[] = { "read", "report", "ask", "finish", NULL };
static const char *const batch_actions[] = { "read", "approve", NULL };

const struct field schema_login[] = {
    { "username", F_STR, true, 1, 64, NULL, NULL },
    { "password", F_STR, true, 1, 256, NULL, NULL },
    { "device_name", F_STR, true, 1, 100, NULL, NULL },
    END,
};

const struct field schema_refresh[] = {
    { "refresh_token", F_STR, true, 1, 128, NULL, NULL },
    END,
};

const struct field schema_empty[] = { END };

const struct field schema_password_change[] = {
    { "current_password", F_STR, true, 1, 256, NULL, NULL },
    { "new_password", F_STR, true, 8, 256, NULL, NULL },
    END,
};

const struct field schema_password_reset[] = {
    { "new_password", F_STR, true, 8, 256, NULL, NULL },
    END,
};

const struct field schema_incoming[] = {
    { "type_code", F_STR, true, 1, 10, NULL, NULL },
    { "subject", F_STR, true, 1, 500, NULL, NULL },
    { "number_notation", F_STR, true, 1, 50, NULL, NULL },
    { "doc_date", F_DATE, true, 0, 0, NULL, NULL },
    { "issuer_name", F_STR, true, 1, 200, NULL, NULL },
    { "issuer_code", F_STR, false, 1, 35, NULL, NULL },
    { "urgency", F_INT, false, 0, 3, NULL, NULL },
    { "secrecy", F_INT, false, 0, 3, NULL, NULL },
    { "pages", F_INT, false, 1, 9999, NULL, NULL },
    { "signer_name", F_STR, false, 1, 100, NULL, NULL },
    { "received_at", F_TIME, false, 0, 0, NULL, NULL },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { "external_id", F_STR, false, 1, 200, NULL, NULL },
    { "number", F_STR, false, 1, 20, NULL, NULL },
    { "notation", F_STR, false, 1, 50, NULL, NULL },
    { "duplicate_ok", F_BOOL, false, 0, 0, NULL, NULL },
    END,
};

/* either agency_code or name: doc_create_outgoing checks it */
const struct field schema_recipient[] = {
    { "agency_code", F_STR, false, 13, 13, NULL, NULL },
    { "name", F_STR, false, 1, 200, NULL, NULL },
    { "code", F_STR, false, 1, 35, NULL, NULL },
    END,
};

const struct field schema_draft[] = {
    { "type_code", F_STR, true, 1, 10, NULL, NULL },
    { "subject", F_STR, true, 1, 500, NULL, NULL },
    { "urgency", F_INT, false, 0, 3, NULL, NULL },
    { "secrecy", F_INT, false, 0, 3, NULL, NULL },
    { "pages", F_INT, false, 1, 9999, NULL, NULL },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { "recipients", F_ARRAY, true, 1, 200, NULL, schema_recipient },
    { "replaces", F_ID, false, 0, 0, NULL, NULL },
    { "corrects", F_ID, false, 0, 0, NULL, NULL },
    { "normative", F_BOOL, false, 0, 0, NULL, NULL },
    { "issuing_body_id", F_ID, false, 0, 0, NULL, NULL },
    END,
};

const struct field schema_present[] = {
    { "leader_id", F_ID, true, 0, 0, NULL, NULL },
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    END,
};

/* either user_id or unit_id: the direct step checks it */
const struct field schema_assignment[] = {
    { "user_id", F_ID, false, 0, 0, NULL, NULL },
    { "unit_id", F_ID, false, 0, 0, NULL, NULL },
    { "role", F_ENUM, true, 0, 0, roles, NULL },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { "deadline_working_days", F_INT, false, 1, 365, NULL, NULL },
    END,
};

const struct field schema_direct[] = {
    { "note", F_STR, true, 1, 2000, NULL, NULL },
    { "assignments", F_ARRAY, true, 1, 100, NULL, schema_assignment },
    END,
};

/* a note to report or ask: the progress step checks it */
const struct field schema_progress[] = {
    { "action", F_ENUM, true, 0, 0, progress_actions, NULL },
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    END,
};

const struct field schema_approve[] = {
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    END,
};

const struct field schema_return[] = {
    { "reason", F_STR, true, 1, 2000, NULL, NULL },
    END,
};

const struct field schema_recall[] = {
    { "reason", F_STR, true, 1, 2000, NULL, NULL },
    END,
};

const struct field schema_sign[] = {
    { "signed_file_id", F_ID, false, 0, 0, NULL, NULL },
    END,
};

const struct field schema_batch_item[] = {
    { "id", F_ID, true, 0, 0, NULL, NULL },
    { "etag", F_STR, true, 1, 200, NULL, NULL },
    END,
};

const struct field schema_batch[] = {
    { "action", F_ENUM, true, 0, 0, batch_actions, NULL },
    { "item_ids", F_ARRAY, false, 1, 50, NULL, NULL },
    { "items", F_ARRAY, false, 1, 50, NULL, schema_batch_item },
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    END,
};

const struct field schema_book[] = {
    { "name", F_STR, true, 1, 200, NULL, NULL },
    { "normative", F_BOOL, false, 0, 0, NULL, NULL },
    { "issuing_body_id", F_ID, false, 0, 0, NULL, NULL },
    { "type_codes", F_CODES, false, 0, 60, NULL, NULL },
    { "covers_rest", F_BOOL, false, 0, 0, NULL, NULL },
    END,
};

const struct field schema_book_change[] = {
    { "name", F_STR, false, 1, 200, NULL, NULL },
    { "type_codes", F_CODES, false, 0, 60, NULL, NULL },
    { "covers_rest", F_BOOL, false, 0, 0, NULL, NULL },
    { "closed", F_BOOL, false, 0, 0, NULL, NULL },
    END,
};

static const char *const priorities[] = { "normal", "urgent", NULL };

const struct field schema_task_holder[] = {
    { "user_id", F_ID, false, 0, 0, NULL, NULL },
    { "unit_id", F_ID, false, 0, 0, NULL, NULL },
    { "agency_code", F_STR, false, 1, 20, NULL, NULL },
    END,
};

const struct field schema_task[] = {
    { "title", F_STR, true, 1, 500, NULL, NULL },
    { "content", F_STR, false, 1, 10000, NULL, NULL },
    { "document_id", F_ID, false, 0, 0, NULL, NULL },
    { "parent_id", F_ID, false, 0, 0, NULL, NULL },
    { "lead_user_id", F_ID, false, 0, 0, NULL, NULL },
    { "lead_unit_id", F_ID, false, 0, 0, NULL, NULL },
    { "lead_agency_code", F_STR, false, 1, 20, NULL, NULL },
    { "coordinators", F_ARRAY, false, 0, 50, NULL, schema_task_holder },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { "deadline_working_days", F_INT, false, 1, 365, NULL, NULL },
    { "priority", F_ENUM, false, 0, 0, priorities, NULL },
    { "confirm_required", F_BOOL, false, 0, 0, NULL, NULL },
    END,
};

const struct field schema_task_progress[] = {
    { "percent", F_INT, true, 0, 100, NULL, NULL },
    { "note", F_STR, false, 1, 4000, NULL, NULL },
    { "file_ids", F_ARRAY, false, 0, 20, NULL, NULL },
    END,
};

const struct field schema_task_note[] = {
    { "note", F_STR, false, 1, 4000, NULL, NULL },
    END,
};

const struct field schema_task_return[] = {
    { "note", F_STR, true, 1, 4000, NULL, NULL },
    END,
};

const struct field schema_task_extension[] = {
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { "deadline_working_days", F_INT, false, 1, 365, NULL, NULL },
    { "reason", F_STR, true, 1, 4000, NULL, NULL },
    END,
};

const struct field schema_task_decision[] = {
    { "grant", F_BOOL, true, 0, 0, NULL, NULL },
    { "note", F_STR, false, 1, 4000, NULL, NULL },
    END,
};

static const char *const directive_sources[] = { "document", "meeting", NULL };
static const char *const directive_roles[] = { "lead", "coordinate", NULL };

const struct field schema_directive_agency[] = {
    { "agency_code", F_STR, true, 13, 13, NULL, NULL },
    { "role", F_ENUM, true, 0, 0, directive_roles, NULL },
    { "deadline", F_TIME, false, 0, 0, NULL, NULL },
    { "deadline_working_days", F_INT, false, 1, 365, NULL, NULL },
    END,
};

const struct field schema_directive[] = {
    { "title", F_STR, true, 1, 500, NULL, NULL },
    { "content", F_STR, true, 1, 10000, NULL, NULL },
    { "directed_by", F_ID, true, 0, 0, NULL, NULL },
    { "source", F_ENUM, true, 0, 0, directive_sources, NULL },
    { "document_id", F_ID, false, 0, 0, NULL, NULL },
    { "meeting", F_STR, false, 1, 500, NULL, NULL },
    { "priority", F_ENUM, false, 0, 0, priorities, NULL },
    { "agencies", F_ARRAY, true, 1, 69, NULL, schema_directive_agency },
    END,
};

const struct field schema_directive_remind[] = {
    { "agency_code", F_STR, true, 13, 13, NULL, NULL },
    { "note", F_STR, false, 1, 2000, NULL, NULL },
    END,
};

static const char *const platforms[] = { "fcm", "apns", "webhook", NULL };

const struct field schema_device[] = {
    { "platform", F_ENUM, true, 0, 0, platforms, NULL },
    { "token", F_STR, true, 1, 4096, NULL, NULL },
    { "app_version", F_STR, false, 1, 50, NULL, NULL },
    { "locale", F_STR, false, 2, 35, NULL, NULL },
    END,
};

const struct field schema_notice_settings[] = {
    { "quiet_start", F_STR, false, 5, 5, NULL, NULL },
    { "quiet_end", F_STR, false, 5, 5, NULL, NULL },
    { "show_subject", F_BOOL, false, 0, 0, NULL, NULL },
    END,
};

const struct field schema_calendar_day[] = {
    { "kind", F_STR, true, 1, 31, NULL, NULL },
    { "name", F_STR, true, 1, 200, NULL, NULL },
    { "provisional", F_BOOL, false, 0, 0, NULL, NULL },
    { "source", F_STR, false, 1, 500, NULL, NULL },
    END,
};

const struct schema schemas[] = {
    { "LoginRequest", schema_login },
    { "RefreshRequest", schema_refresh },
    { "Empty", schema_empty },
    { "PasswordChangeRequest", schema_password_change },
    { "PasswordResetRequest", schema_password_reset },
    { "IncomingRequest", schema_incoming },
    { "Recipient", schema_recipient },
    { "DraftRequest", schema_draft },
    { "PresentRequest", schema_present },
    { "Assignment", schema_assignment },
    { "DirectRequest", schema_direct },
    { "ProgressRequest", schema_progress },
    { "ApproveRequest", schema_approve },
    { "ReturnRequest", schema_return },
    { "SignRequest", schema_sign },
    { "RecallRequest", schema_recall },
    { "BatchRequest", schema_batch },
    { "BatchItem", schema_batch_item },
    { "BookRequest", schema_book },
    { "BookChange", schema_book_change },
    { "CalendarDayRequest", schema_calendar_day },
    { "TaskHolder", schema_task_holder },
    { "DeviceRequest", schema_device },
    { "NotificationSettings", schema_notice_settings },
    { "DirectiveAgency", schema_directive_agency },
    { "DirectiveRequest", schema_directive },
    { "DirectiveReminder", schema_directive_remind },
    { "TaskRequest", schema_task },
    { "TaskProgressRequest", schema_task_progress },
    { "TaskNoteRequest", schema_task_note },
    { "TaskReturnRequest", schema_task_return },
    { "TaskExtensionRequest", schema_task_extension },
    { "TaskDecisionRequest", schema_task_decision },
    { NULL, NULL },
};
