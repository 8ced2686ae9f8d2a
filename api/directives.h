/* Directives of the chairman (sql/functions/directives.sql): recorded by a
 * tracker of the People's Committee office, read whole by the office and
 * the chairman, each assigned agency's part a task of the engine (its
 * progress, completion and confirmation go through /api/v1/tasks). The
 * office reminds agencies and reads the figures: per agency and for the
 * province, the overdue list, and the export as XLSX or CSV. */
#ifndef QLVB_API_DIRECTIVES_H
#define QLVB_API_DIRECTIVES_H
struct req;
void directives_create(struct req *r);
void directives_list(struct req *r);
void directives_get(struct req *r);
void directives_remind(struct req *r);
void directives_stats(struct req *r);
void directives_overdue(struct req *r);
void directives_export(struct req *r);
#endif
