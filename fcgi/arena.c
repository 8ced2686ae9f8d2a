/* Per-request arena: see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct arena_defer {
    struct arena_defer *next;
    void (*fn)(void *);
    void *p;
};

#define ALIGN 16

static _Noreturn void arena_die(const char *why, size_t n)
{
    fprintf(stderr, "level=fatal msg=\"arena: %s\" bytes=%zu\n", why, n);
    abort();
}

static struct arena_block *block_new(size_t size)
{
    struct arena_block *b = malloc(sizeof *b + size);
    if (!b)                        /* the process is out of memory: no request can be answered */
        arena_die("out of memory", size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void arena_init(struct arena *a, size_t block_size, size_t limit)
{
    a->block_size = block_size ? block_size : 16384;
    a->limit = limit;
    a->used = 0;
    a->refused = 0;
    a->exit = NULL;
    a->defers = NULL;
    a->head = block_new(a->block_size);
}

void arena_set_exit(struct arena *a, jmp_buf *exit)
{
    a->exit = exit;
}

void arena_limit_passed(struct arena *a)
{
    jmp_buf *exit = a->exit;
    if (!exit)
        arena_die("request memory limit passed", a->refused);
    a->exit = NULL;
    longjmp(*exit, 1);
}

void *arena_try_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need < n || (a->limit && (need > a->limit || a->used > a->limit - need))) {
        a->refused = need < n ? SIZE_MAX : a->used + need;
        return NULL;
    }
    struct arena_block *b = a->head;
    if (b->size - b->used < need) {
        size_t size = need > a->block_size ? need : a->block_size;
        struct arena_block *nb = block_new(size);
        if (need > a->block_size / 4 && b->size - b->used > 64) {
            /* a big request gets its own block behind the current one, so
             * the room left in the current block is not wasted */
            nb->next = b->next;
            b->next = nb;
            b = nb;
        } else {
            nb->next = b;
            a->head = nb;
            b = nb;
        }
    }
    void *p = b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    void *p = arena_try_alloc(a, n);
    if (!p)
        arena_limit_passed(a);
    return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        a->refused = SIZE_MAX;
        arena_limit_passed(a);
    }
    void *p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_sprintf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        arena_die("bad format", 0);
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
    struct arena_defer *d = arena_try_alloc(a, sizeof *d);
    if (!d) {
        fn(p);
        arena_limit_passed(a);
    }
    d->fn = fn;
    d->p = p;
    d->next = a->defers;
    a->defers = d;
}

static void run_defers(struct arena *a)
{
    /* a cleanup may not allocate; take the list first */
    struct arena_defer *d = a->defers;
    a->defers = NULL;
    for (; d; d = d->next)
        d->fn(d->p);
}

void arena_reset(struct arena *a)
{
    run_defers(a);
    struct arena_block *b = a->head, *keep = NULL;
    while (b) {
        struct arena_block *next = b->next;
        if (!next && b->size == a->block_size)
            keep = b;              /* the first block, of the standard size */
        else
            free(b);
        b = next;
    }
    if (!keep)
        keep = block_new(a->block_size);
    keep->used = 0;
    keep->next = NULL;
    a->head = keep;
    a->used = 0;
    a->refused = 0;
}

void arena_destroy(struct arena *a)
{
    run_defers(a);
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

void sbuf_init(struct sbuf *b, struct arena *a, size_t cap)
{
    b->a = a;
    b->cap = cap ? cap : 256;
    b->len = 0;
    b->s = arena_alloc(a, b->cap);
    b->s[0] = '\0';
}

/* Room for extra more bytes; false when the arena refuses it. */
static bool sbuf_room(struct sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = arena_try_alloc(b->a, cap);
    if (!s)
        return false;
    memcpy(s, b->s, b->len + 1);
    b->s = s;
    b->cap = cap;
    return true;
}

bool sbuf_try_add(struct sbuf *b, const char *s, size_t n)
{
    if (!sbuf_room(b, n))
        return false;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return true;
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
    if (!sbuf_try_add(b, s, n))
        arena_limit_passed(b->a);
}

void sbuf_puts(struct sbuf *b, const char *s)
{
    sbuf_add(b, s, strlen(s));
}

void sbuf_putc(struct sbuf *b, char c)
{
    sbuf_add(b, &c, 1);
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    if (!sbuf_room(b, (size_t)n))
        arena_limit_passed(b->a);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sbuf_json_str(struct sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sbuf_putc(b, '"');
    if (!s)
        s = "";
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        sbuf_add(b, run, (size_t)((const char *)p - run));
        switch (*p) {
        case '"': sbuf_add(b, "\\\"", 2); break;
        case '\\': sbuf_add(b, "\\\\", 2); break;
        case '\n': sbuf_add(b, "\\n", 2); break;
        case '\r': sbuf_add(b, "\\r", 2); break;
        case '\t': sbuf_add(b, "\\t", 2); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
            sbuf_add(b, u, 6);
        }
        }
        run = (const char *)p + 1;
    }
    sbuf_puts(b, run);
    sbuf_putc(b, '"');
}
