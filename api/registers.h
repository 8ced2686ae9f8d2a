/* The registers (sổ đăng ký văn bản đến, đi) of the caller's agency for a
 * period, in Decree 30's ten columns, as CSV (UTF-8 with a byte-order mark,
 * so that Excel shows Vietnamese) or as XLSX. */
#ifndef QLVB_API_REGISTERS_H
#define QLVB_API_REGISTERS_H
struct req;
void registers_export(struct req *r);
#endif
