/* Documents: registration of incoming documents, drafts of outgoing ones,
 * every step of their workflow, detail, search, and file versions. */
#ifndef QLVB_API_DOCUMENTS_H
#define QLVB_API_DOCUMENTS_H

#include <stdint.h>

struct req;

int doc_create_incoming(struct req *r);
int doc_create_outgoing(struct req *r);
int doc_get(struct req *r);
int doc_search(struct req *r);
/* One handler for every workflow step; the route's data names the step. */
int doc_step(struct req *r);
struct doc_step;
extern const struct doc_step doc_step_register, doc_step_present, doc_step_direct,
    doc_step_progress, doc_step_submit, doc_step_approve, doc_step_return, doc_step_sign,
    doc_step_issue;

/* Runs the approval of one document for the signed-in user in its own
 * transaction; used by the inbox's batch action. Returns the HTTP status
 * and on failure fills slug and detail. */
int doc_approve_one(struct req *r, int64_t doc_id, const char *note, const char **slug,
                    const char **detail);

#endif
