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
int doc_register(struct req *r);
int doc_present(struct req *r);
int doc_direct(struct req *r);
int doc_progress(struct req *r);
int doc_submit(struct req *r);
int doc_approve(struct req *r);
int doc_return(struct req *r);
int doc_sign(struct req *r);
int doc_issue(struct req *r);

/* Runs the approval of one document for the signed-in user in its own
 * transaction; used by the inbox's batch action. Returns the HTTP status
 * and on failure fills slug and detail. */
int doc_approve_one(struct req *r, int64_t doc_id, const char *note, const char **slug,
                    const char **detail);

#endif
