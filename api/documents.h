/* Documents: registration of incoming documents, drafts of outgoing ones,
 * every step of their workflow, detail, search, and file versions. */
#ifndef QLVB_API_DOCUMENTS_H
#define QLVB_API_DOCUMENTS_H

#include <jansson.h>

#include <stdint.h>

struct req;

void doc_create_incoming(struct req *r);
void doc_create_outgoing(struct req *r);
void doc_get(struct req *r);
void doc_search(struct req *r);
/* One handler for every workflow step; the route's data names the step. */
void doc_step(struct req *r);
struct doc_step;
extern const struct doc_step doc_step_register, doc_step_present, doc_step_direct,
    doc_step_progress, doc_step_submit, doc_step_approve, doc_step_return, doc_step_sign,
    doc_step_issue, doc_step_recall, doc_step_recall_carry_out;

struct problem;

/* Runs the approval of one document for the signed-in user in its own
 * transaction; used by the inbox's batch action. With if_match (the
 * document's ETag the client saw, or NULL) a document that has moved on is
 * not approved: precondition-failed, with *document its current detail.
 * NULL when it was done, else the problem that stopped it, with its
 * detail. */
const struct problem *doc_approve_one(struct req *r, int64_t doc_id, const char *note, const char *if_match,
                                      const char **detail, json_t **document);

#endif
