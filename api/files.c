/* Files: see files.h. Bytes live in the store (store.c) under their
 * SHA-256; the database holds only the key. The type is what libmagic finds
 * in the bytes, whatever the client says. A file whose stored bytes were
 * found damaged (qlvb-admin store-check) is quarantined: refused on
 * download until the right bytes are uploaded again. */
#include "files.h"
#include "audit.h"
#include "idempotency.h"
#include "store.h"
#include "../fcgi/config.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"
#include "../fcgi/jsonx.h"
#include "../fcgi/log.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static __thread magic_t magic;

/* What may be stored: documents, scans, office files, edXML. */
static const char *const allowed_types[] = {
    "application/pdf", "image/png", "image/jpeg", "image/tiff", "text/plain", "text/xml",
    "application/xml", "application/zip", "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text", NULL,
};
static const char *const kinds[] = { "body", "attachment", "signed", NULL };

static const char *sniff(const char *buf, size_t len)
{
    if (!magic) {
        magic = magic_open(MAGIC_MIME_TYPE);
        if (!magic || magic_load(magic, NULL) != 0) {
            if (magic)
                magic_close(magic);
            magic = NULL;
            return NULL;
        }
    }
    return magic_buffer(magic, buf, len);
}

static bool name_ok(const char *s)
{
    long n = jsonx_utf8_length(s);
    if (n < 1 || n > 255 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
            return false;
    return true;
}

void files_upload(struct req *r)
{
    int64_t id;
    if (!req_param_id(r, "id", &id)) {
        resp_problem(r, PROBLEM_DOCUMENT_NOT_FOUND, SAY(r, "không có văn bản này", "no such document"));
        return;
    }
    const char *kind = req_query(r, "kind"), *name = req_query(r, "name");
    bool kind_ok = false;
    for (const char *const *k = kinds; kind && *k; k++)
        kind_ok |= strcmp(*k, kind) == 0;
    if (!kind_ok) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "kind là body, attachment hoặc signed", "kind must be body, attachment or signed"));
        return;
    }
    if (!name || !name_ok(name)) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "name là tên tệp dài 1 đến 255 ký tự, không chứa / hay ký tự điều khiển", "name must be a file name of 1 to 255 characters, without / or control characters"));
        return;
    }
    if (r->body_len == 0) {
        resp_problem(r, PROBLEM_EMPTY_FILE, SAY(r, "thân yêu cầu phải chứa nội dung tệp nhưng đang trống", "the body holds the file's bytes and is empty"));
        return;
    }
    const char *mime = sniff(r->body, r->body_len);
    bool type_ok = false;
    for (const char *const *t = allowed_types; mime && *t; t++)
        type_ok |= strcmp(*t, mime) == 0;
    if (!type_ok) {
        resp_problem(r, PROBLEM_UNSUPPORTED_FILE_TYPE, arena_sprintf(r->a, SAY(r, "không nhận tệp kiểu %s", "files of type %s are not accepted"), mime ? mime : SAY(r, "không rõ", "unknown")));
        return;
    }
    mime = arena_strdup(r->a, mime);

    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[sizeof h * 2 + 1];
    crypto_hash_sha256(h, (const unsigned char *)r->body, r->body_len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);

    const char *uid = arena_sprintf(r->a, "%lld", (long long)r->user_id);
    const char *did = arena_sprintf(r->a, "%lld", (long long)id);
    const char *pa[3] = { uid, did, kind };
    if (!db_begin(&r->c) || !DB_RUNA(&r->c, DOC_FILE_ALLOWED, pa)) {
        resp_problem_db(r);
        return;
    }
    bool mended;
    if (!store_put(r->a, cfg.store_dir, hex, r->body, r->body_len, r->c.request_id, &mended)) {
        log_error(r->c.request_id, "msg=\"cannot store file\" error=\"%s\"", strerror(errno));
        resp_problem(r, PROBLEM_STORAGE_ERROR, SAY(r, "không lưu được tệp", "the file could not be stored"));
        return;
    }
    const char *pf[3] = { hex, arena_sprintf(r->a, "%zu", r->body_len), mime };
    const char *pd[5] = { did, kind, name, hex, uid };
    PGresult *res;
    if (mended)
        log_warn(r->c.request_id, "msg=\"damaged stored file replaced by an upload\" sha256=%s", hex);
    if (!DB_RUNA(&r->c, FILE_PUT, pf) || !(res = DB_RUNA(&r->c, DOCFILE_ADD, pd))) {
        resp_problem_db(r);
        return;
    }
    const char *fid = arena_strdup(r->a, PQgetvalue(res, 0, 0));
    const char *ver = arena_strdup(r->a, PQgetvalue(res, 0, 1));
    const char *pl[6] = { did, uid, fid, kind, name, ver };
    if (!DB_RUNA(&r->c, DOCFILE_LOG, pl) || !audit(r, r->user_id, "document.file_added", "document", id, NULL)) {
        resp_problem_db(r);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(strtoll(fid, NULL, 10)));
    json_object_set_new(o, "document_id", json_integer(id));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "version", json_integer(strtoll(ver, NULL, 10)));
    json_object_set_new(o, "sha256", json_string(hex));
    json_object_set_new(o, "size", json_integer((json_int_t)r->body_len));
    json_object_set_new(o, "mime", json_string(mime));
    resp_json(r, 201, o);
    /* the answer is kept with the Idempotency-Key in the upload's transaction */
    if (!idem_keep_or_fail(r, &r->c) || !db_commit(&r->c))
        resp_problem_db(r);
}

/* RFC 5987 encoding of a file name for Content-Disposition. */
static const char *disposition(struct req *r, const char *name)
{
    struct sbuf b;
    sbuf_init(&b, r->a, 64);
    sbuf_puts(&b, "attachment; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            sbuf_putc(&b, (char)*p);
        else
            sbuf_printf(&b, "%%%02X", *p);
    }
    return b.s;
}

void files_download(struct req *r)
{
    int64_t id;
    if (!req_param_id(r, "id", &id)) {
        resp_problem(r, PROBLEM_FILE_NOT_FOUND, SAY(r, "không có tệp này", "no such file"));
        return;
    }
    const char *p[2] = { arena_sprintf(r->a, "%lld", (long long)id),
                         arena_sprintf(r->a, "%lld", (long long)r->user_id) };
    PGresult *res = DB_RUNA(&r->c, DOCFILE_GET, p);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQntuples(res) != 1) {
        resp_problem(r, PROBLEM_FILE_NOT_FOUND, SAY(r, "không có tệp này", "no such file"));
        return;
    }
    if (db_bool(res, 0, 4)) {
        resp_problem(r, PROBLEM_FILE_DAMAGED,
                     SAY(r, "nội dung đang lưu của tệp không khớp với mã băm; tệp bị giữ lại cho đến khi "
                            "nội dung đúng được tải lên lại",
                         "the stored bytes of this file do not match its hash; it is withheld until the right bytes "
                         "are uploaded again"));
        return;
    }
    const char *sha = PQgetvalue(res, 0, 0);
    const char *etag = arena_sprintf(r->a, "\"%s\"", sha);
    const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");
    if (inm && http_etag_matches(inm, etag)) {   /* the phone holds these bytes already */
        resp_header(r, "ETag", etag);
        r->cache_control = "private, max-age=3600";
        resp_raw(r, 304, NULL, NULL, 0);
        return;
    }
    resp_header(r, "X-Accel-Redirect", arena_sprintf(r->a, "/_store/%.2s/%.2s/%s", sha, sha + 2, sha));
    resp_header(r, "Content-Disposition", disposition(r, PQgetvalue(res, 0, 2)));
    resp_header(r, "ETag", etag);
    r->cache_control = "private, max-age=3600";
    resp_raw(r, 200, arena_strdup(r->a, PQgetvalue(res, 0, 1)), NULL, 0);
}
