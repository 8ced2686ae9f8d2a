/* The per-user inbox for phones: boxes, filters, cursor pages with ETags,
 * counts, and batch actions. */
#ifndef QLVB_API_INBOX_H
#define QLVB_API_INBOX_H
struct req;
void inbox_list(struct req *r);
void inbox_counts(struct req *r);
/* GET /api/v1/inbox/changes?since=TOKEN: what changed in the user's inbox
 * since a sync token (inbox_changes_since in sql/functions/inbox.sql). */
void inbox_changes(struct req *r);
void inbox_batch(struct req *r);
#endif
