/* Books (sổ đăng ký văn bản) of the caller's agency: the incoming series
 * and the outgoing books, each covering listed document types or the rest,
 * for the agency or one of its advisory bodies, normative or not. Any
 * member reads them; an administrator of the agency opens, changes and
 * closes outgoing books. The rules (no overlap, one series per normative
 * type, no change of coverage for a type numbered this year) are in
 * sql/functions/books.sql. */
#ifndef QLVB_API_BOOKS_H
#define QLVB_API_BOOKS_H
struct req;
void books_list(struct req *r);
void books_create(struct req *r);
void books_change(struct req *r);
#endif
