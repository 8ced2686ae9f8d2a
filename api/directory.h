/* The directory and catalogues a phone fills its forms from, each cached
 * with an ETag (the hash of what it answers): agencies with their units
 * and leaders, an agency's members (contact details only within one's own
 * agency), document types and urgency levels. The rules are
 * sql/functions/directory.sql. */
#ifndef QLVB_API_DIRECTORY_H
#define QLVB_API_DIRECTORY_H
struct req;
void directory_agencies(struct req *r);
void directory_members(struct req *r);
void directory_catalogues(struct req *r);
#endif
