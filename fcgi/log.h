/* One line per event, key=value, to stderr (the stack sends it to a file).
 * Never pass a token, a password or a secret document's content. */
#ifndef QLVB_LOG_H
#define QLVB_LOG_H

void log_line(const char *level, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_info(rid, ...) log_line("info", rid, __VA_ARGS__)
#define log_warn(rid, ...) log_line("warn", rid, __VA_ARGS__)
#define log_error(rid, ...) log_line("error", rid, __VA_ARGS__)

/* Monotonic microseconds (durations; the time of day is fcgi/clock.h). */
long long now_us(void);

#endif
