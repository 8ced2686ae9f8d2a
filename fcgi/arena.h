/* Per-request memory: bump allocation from chained blocks, released all at
 * once when the request ends. Library objects that own malloc'd memory
 * (PGresult, json_t) are registered with arena_defer and released with it.
 *
 * An arena may have a limit on the bytes it hands out. Passing it is a
 * condition of one request, not of the process: arena_alloc then leaves
 * through the arena's exit (a longjmp to where arena_set_exit pointed; the
 * server sets one around each request, answers 500 and goes on serving).
 * Without an exit it aborts. malloc itself failing always aborts: a process
 * out of memory is not a request to answer. What a request holds that the
 * arena does not own is lost when it leaves that way, so code holding
 * something else (a semaphore slot, a half-built library object) either
 * does not allocate meanwhile or uses arena_try_alloc. */
#ifndef QLVB_ARENA_H
#define QLVB_ARENA_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

struct arena_block;
struct arena_defer;

struct arena {
    struct arena_block *head;      /* current block, newest first */
    struct arena_defer *defers;    /* cleanups, run newest first */
    size_t block_size;             /* size of a fresh block */
    size_t limit;                  /* total bytes allowed; 0 = no limit */
    size_t used;                   /* bytes handed out or reserved */
    size_t refused;                /* what a refused allocation would have made used; 0: none since reset */
    jmp_buf *exit;                 /* where passing the limit leaves to; NULL: abort */
};

void arena_init(struct arena *a, size_t block_size, size_t limit);
/* Never returns NULL. Past the limit it leaves through the exit (nothing
 * after the call runs) or, without one, aborts. */
void *arena_alloc(struct arena *a, size_t n);
/* NULL past the limit, with nothing allocated and a->refused set: for a
 * caller that must let go of something first (a body to drain, a library
 * call to unwind), then answer or call arena_limit_passed. */
void *arena_try_alloc(struct arena *a, size_t n);
/* Where passing the limit leaves to: longjmp(*exit, 1), once (the exit is
 * cleared as it is taken). NULL removes it. The jmp_buf must outlive it;
 * arena_reset leaves it as it is. */
void arena_set_exit(struct arena *a, jmp_buf *exit);
/* Leaves as arena_alloc does past the limit: after arena_try_alloc refused. */
_Noreturn void arena_limit_passed(struct arena *a);

void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_sprintf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* fn(p) when the arena is reset. If even that cannot be recorded (the
 * limit), fn(p) runs at once before the arena leaves: p is never lost. */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);
/* Runs the cleanups and frees all but the first block, for reuse. */
void arena_reset(struct arena *a);
void arena_destroy(struct arena *a);

/* A growable byte buffer living in an arena. Growing it past the arena's
 * limit leaves as arena_alloc does, except through sbuf_try_add. */
struct sbuf {
    struct arena *a;
    char *s;
    size_t len, cap;
};
void sbuf_init(struct sbuf *b, struct arena *a, size_t cap);
void sbuf_add(struct sbuf *b, const char *s, size_t n);
/* As sbuf_add; false, the buffer unchanged, when the arena refuses to grow
 * it: for callbacks inside a library (jansson's dump), which must return. */
bool sbuf_try_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void sbuf_json_str(struct sbuf *b, const char *s);

#endif
