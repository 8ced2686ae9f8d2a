/* The request bodies the API takes: one field table for each request schema
 * of mobile-spec/openapi.yaml (components/schemas), named after it. A test
 * (tests/static/test_request_schemas.py) checks each table against its
 * schema; rules across fields (either this or that) stay with the handler. */
#ifndef QLVB_API_SCHEMAS_H
#define QLVB_API_SCHEMAS_H

#include "validate.h"

extern const struct field schema_login[];       /* LoginRequest */
extern const struct field schema_refresh[];     /* RefreshRequest */
extern const struct field schema_empty[];       /* Empty */
extern const struct field schema_password_change[]; /* PasswordChangeRequest */
extern const struct field schema_password_reset[];  /* PasswordResetRequest */
extern const struct field schema_incoming[];    /* IncomingRequest */
extern const struct field schema_recipient[];   /* Recipient */
extern const struct field schema_draft[];       /* DraftRequest */
extern const struct field schema_present[];     /* PresentRequest */
extern const struct field schema_assignment[];  /* Assignment */
extern const struct field schema_direct[];      /* DirectRequest */
extern const struct field schema_progress[];    /* ProgressRequest */
extern const struct field schema_approve[];     /* ApproveRequest */
extern const struct field schema_return[];      /* ReturnRequest */
extern const struct field schema_sign[];        /* SignRequest */
extern const struct field schema_recall[];      /* RecallRequest */
extern const struct field schema_batch[];       /* BatchRequest */
extern const struct field schema_batch_item[];  /* BatchItem */
extern const struct field schema_book[];        /* BookRequest */
extern const struct field schema_book_change[]; /* BookChange */
extern const struct field schema_calendar_day[]; /* CalendarDayRequest */
extern const struct field schema_task_holder[]; /* TaskHolder */
extern const struct field schema_device[]; /* DeviceRequest */
extern const struct field schema_notice_settings[]; /* NotificationSettings */
extern const struct field schema_directive_agency[]; /* DirectiveAgency */
extern const struct field schema_directive[]; /* DirectiveRequest */
extern const struct field schema_directive_remind[]; /* DirectiveReminder */
extern const struct field schema_task[]; /* TaskRequest */
extern const struct field schema_task_progress[]; /* TaskProgressRequest */
extern const struct field schema_task_note[]; /* TaskNoteRequest */
extern const struct field schema_task_return[]; /* TaskReturnRequest */
extern const struct field schema_task_extension[]; /* TaskExtensionRequest */
extern const struct field schema_task_decision[]; /* TaskDecisionRequest */

/* Every table above by the name of its schema in openapi.yaml; ends with a
 * NULL name. */
struct schema {
    const char *name;
    const struct field *fields;
};
extern const struct schema schemas[];

#endif
