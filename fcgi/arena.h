/* Per-request memory: bump allocation from chained blocks, released all at
 * once when the request ends. Library objects that own malloc'd memory
 * (PGresult, json_t) are registered with arena_defer and released with it. */
#ifndef QLVB_ARENA_H
#define QLVB_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena_defer;

struct arena {
    struct arena_block *head;      /* current block, newest first */
    struct arena_defer *defers;    /* cleanups, run newest first */
    size_t block_size;             /* size of a fresh block */
    size_t limit;                  /* total bytes allowed; 0 = no limit */
    size_t used;                   /* bytes handed out or reserved */
};

void arena_init(struct arena *a, size_t block_size, size_t limit);
/* Aborts the process when memory runs out or the limit is passed: a request
 * that needs more than the limit is a bug, not a condition to recover from. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n, size_t size);
void *arena_realloc(struct arena *a, void *old, size_t old_n, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_sprintf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void arena_defer(struct arena *a, void (*fn)(void *), void *p);
/* Runs the cleanups and frees all but the first block, for reuse. */
void arena_reset(struct arena *a);
void arena_destroy(struct arena *a);

/* A growable byte buffer living in an arena. */
struct sbuf {
    struct arena *a;
    char *s;
    size_t len, cap;
};
void sbuf_init(struct sbuf *b, struct arena *a, size_t cap);
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void sbuf_json_str(struct sbuf *b, const char *s);

#endif
