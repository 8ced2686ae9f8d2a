/* A table exported as a spreadsheet: CSV in UTF-8 with a byte-order mark
 * (Excel shows Vietnamese; text that would run as a formula is written
 * after an apostrophe), or XLSX written by libxlsxwriter in constant memory
 * (cells cut at Excel's limit). The registers and the directives' figures
 * use it. */
#ifndef QLVB_API_SHEET_H
#define QLVB_API_SHEET_H
#include <libpq-fe.h>
#include <stdbool.h>

struct req;

struct sheet {
    const char *const *heads;        /* the first row */
    int columns;                      /* the result's columns 0..columns-1, in order */
    const char *sheet_name;           /* at most 31 characters */
    const char *file_name;            /* without its extension */
};

/* Answers 200 with res as the sheet, or 500 when it could not be written. */
void sheet_answer(struct req *r, PGresult *res, const struct sheet *sh, bool xlsx);
#endif
