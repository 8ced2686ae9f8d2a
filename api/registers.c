/* Registers: see registers.h. The lines and who may read them come from
 * register_lines in sql/functions/books.sql. */
#include "registers.h"
#include "sheet.h"
#include "validate.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/log.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS 10
#define REGISTER_MAX_LINES 20000     /* a period's lines in one export (a month of a busy agency) */

static const char *const in_heads[COLUMNS] = {
    "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú",
};
static const char *const out_heads[COLUMNS] = {
    "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
    "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú",
};

void registers_export(struct req *r)
{
    const char *dir = req_param(r, "direction"), *from = req_query(r, "from"), *to = req_query(r, "to");
    const char *format = req_query(r, "format");
    if (!dir || (strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0)) {
        resp_problem(r, PROBLEM_NOT_FOUND, SAY(r, "sổ đăng ký là in (văn bản đến) hoặc out (văn bản đi)", "a register is in (incoming) or out (outgoing)"));
        return;
    }
    if (!from || !to || !valid_date(from) || !valid_date(to) || strcmp(from, to) > 0) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "from và to là ngày dạng YYYY-MM-DD, from không sau to", "from and to are dates YYYY-MM-DD, from not after to"));
        return;
    }
    if (!format)
        format = "csv";
    if (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "format là csv hoặc xlsx", "format is csv or xlsx"));
        return;
    }
    PGresult *res = DB_RUN(&r->c, REGISTER_LINES, req_id_text(r, r->user_id), dir, from, to,
                           arena_sprintf(r->a, "%d", REGISTER_MAX_LINES + 1));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQntuples(res) > REGISTER_MAX_LINES) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     arena_sprintf(r->a, SAY(r, "khoảng thời gian có hơn %d dòng: hãy xuất theo các khoảng ngắn hơn",
                                          "the period holds more than %d lines: export it in shorter periods"),
                                   REGISTER_MAX_LINES));
        return;
    }
    bool in = strcmp(dir, "in") == 0;
    struct sheet sh = { in ? in_heads : out_heads, COLUMNS, in ? "Sổ văn bản đến" : "Sổ văn bản đi",
                        arena_sprintf(r->a, "so-van-ban-%s-%s-%s", in ? "den" : "di", from, to) };
    sheet_answer(r, res, &sh, strcmp(format, "xlsx") == 0);
}
