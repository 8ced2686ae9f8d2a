/* File versions of documents: upload (stored by SHA-256, type sniffed) and
 * download (authorised here, bytes served by nginx). */
#ifndef QLVB_API_FILES_H
#define QLVB_API_FILES_H
struct req;
void files_upload(struct req *r);
void files_download(struct req *r);
#endif
