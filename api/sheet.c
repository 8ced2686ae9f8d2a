/* Exports as a spreadsheet: see sheet.h. */
#include "sheet.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/log.h"
#include "../sql/problems.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define XLSX_CELL_MAX 32767          /* Excel's limit, in characters; checked in bytes, which is stricter */

/* A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
 * end. Text that a spreadsheet would take for a formula (=, +, -, @, a tab
 * or a carriage return first: an outside sender's name, a subject) is
 * written after an apostrophe, so that it is shown, never run. */
static void csv_field(struct sbuf *b, const char *s)
{
    if (*s && strchr("=+-@\t\r", *s)) {
        size_t n = strlen(s);
        char *safe = arena_alloc(b->a, n + 2);
        safe[0] = '\'';
        memcpy(safe + 1, s, n + 1);
        s = safe;
    }
    if (!strpbrk(s, ",\"\r\n")) {
        sbuf_puts(b, s);
        return;
    }
    sbuf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            sbuf_putc(b, '"');
        sbuf_putc(b, *s);
    }
    sbuf_putc(b, '"');
}

static void answer_csv(struct req *r, PGresult *res, const struct sheet *sh)
{
    struct sbuf b;
    sbuf_init(&b, r->a, 4096);
    sbuf_add(&b, "\xEF\xBB\xBF", 3);                   /* the byte-order mark Excel needs */
    for (int c = 0; c < sh->columns; c++) {
        if (c)
            sbuf_putc(&b, ',');
        csv_field(&b, sh->heads[c]);
    }
    sbuf_add(&b, "\r\n", 2);
    for (int i = 0; i < PQntuples(res); i++) {
        for (int c = 0; c < sh->columns; c++) {
            if (c)
                sbuf_putc(&b, ',');
            csv_field(&b, PQgetvalue(res, i, c));
        }
        sbuf_add(&b, "\r\n", 2);
    }
    resp_header(r, "Content-Disposition", arena_sprintf(r->a, "attachment; filename=\"%s.csv\"", sh->file_name));
    resp_raw(r, 200, "text/csv; charset=utf-8", b.s, b.len);
}

/* A cell's text within Excel's 32,767 characters: a longer one is cut at a
 * character boundary and ends with an ellipsis. */
static const char *cell_text(struct req *r, const char *s)
{
    size_t n = strlen(s);
    if (n <= XLSX_CELL_MAX)
        return s;
    size_t cut = XLSX_CELL_MAX - 8;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return arena_sprintf(r->a, "%.*s…", (int)cut, s);
}

/* libxlsxwriter writes a file (in its constant-memory mode, a row at a
 * time): a private temporary one, read back and gone. */
static void answer_xlsx(struct req *r, PGresult *res, const struct sheet *sh)
{
    char path[] = "/tmp/qlvb-sheet-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        resp_problem(r, PROBLEM_INTERNAL_ERROR, SAY(r, "không ghi được tệp xuất", "the export could not be written"));
        return;
    }
    close(fd);
    lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE };
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    /* a sheet's name is at most 31 characters */
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sh->sheet_name) : NULL;
    bool ok = ws != NULL;
    lxw_format *bold = ok ? workbook_add_format(wb) : NULL;
    if (bold)
        format_set_bold(bold);
    for (int c = 0; ok && c < sh->columns; c++)
        ok = worksheet_write_string(ws, 0, (lxw_col_t)c, sh->heads[c], bold) == LXW_NO_ERROR;
    for (int i = 0; ok && i < PQntuples(res); i++)
        for (int c = 0; ok && c < sh->columns; c++)
            ok = worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, cell_text(r, PQgetvalue(res, i, c)),
                                        NULL) == LXW_NO_ERROR;
    lxw_error closed = wb ? workbook_close(wb) : LXW_ERROR_MEMORY_MALLOC_FAILED;
    if (!ok || closed != LXW_NO_ERROR) {
        log_error(r->c.request_id, "msg=\"export not written\" error=\"%s\"",
                  closed != LXW_NO_ERROR ? lxw_strerror(closed) : "a cell was refused");
        ok = false;
    }
    FILE *f = ok ? fopen(path, "rb") : NULL;
    char *buf = NULL;
    long n = 0;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = arena_alloc(r->a, (size_t)n);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n)
            buf = NULL;
    }
    if (f)
        fclose(f);
    unlink(path);
    if (!buf) {
        resp_problem(r, PROBLEM_INTERNAL_ERROR, SAY(r, "không ghi được tệp xuất", "the export could not be written"));
        return;
    }
    resp_header(r, "Content-Disposition", arena_sprintf(r->a, "attachment; filename=\"%s.xlsx\"", sh->file_name));
    resp_raw(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf, (size_t)n);
}

void sheet_answer(struct req *r, PGresult *res, const struct sheet *sh, bool xlsx)
{
    if (xlsx)
        answer_xlsx(r, res, sh);
    else
        answer_csv(r, res, sh);
}
