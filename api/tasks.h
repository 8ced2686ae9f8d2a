/* Tasks (sql/functions/tasks.sql): created directly or delegated down,
 * from a document's direction or a directive; their holders report
 * progress and completion and ask extensions, their assigners confirm or
 * return completion and decide extensions. Every step honours If-Match
 * with the task's ETag and an Idempotency-Key. */
#ifndef QLVB_API_TASKS_H
#define QLVB_API_TASKS_H
struct req;
struct route;
void tasks_create(struct req *r);
void tasks_get(struct req *r);
void tasks_mine(struct req *r);
void tasks_step(struct req *r);

/* The steps, for the route table: each names its statement and body. */
struct task_step;
extern const struct task_step task_step_progress, task_step_complete, task_step_confirm, task_step_return,
    task_step_extension, task_step_decide;
#endif
