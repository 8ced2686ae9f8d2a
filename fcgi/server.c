/* Master, workers and the request loop: see server.h. */
#include "server.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "redis.h"
#include "supervise.h"

#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct app *app;
static int listen_fd = -1;         /* shared by every worker: never shut down by one */
static int wake_fd[2] = { -1, -1 }; /* this worker's: readable once it drains */
static atomic_int busy_threads;
static atomic_bool stopping;

#define ARENA_BLOCK 16384

static bool rid_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-'))
            return false;
    return true;
}

/* Reads what is left of the body and drops it, so the kept-alive
 * connection stays in step. */
static void drain_body(struct req *r)
{
    char sink[16384];
    while (FCGX_GetStr(sink, sizeof sink, r->fx->in) > 0)
        ;
}

/* Reads the body, at most max bytes, into the arena; answers 413/400 itself
 * on failure: 413 too when the body does not fit in the arena's limit. */
static bool read_body_or_answer(struct req *r, size_t max)
{
    const char *cl = req_env(r, "CONTENT_LENGTH");
    if (!cl || !*cl)
        return true;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (errno || *end) {
        resp_problem(r, PROBLEM_BAD_CONTENT_LENGTH, SAY(r, "Content-Length không phải là một số", "Content-Length is not a number"));
        return false;
    }
    if (n > max) {
        drain_body(r);
        resp_problem(r, PROBLEM_BODY_TOO_LARGE, arena_sprintf(r->a, SAY(r, "thân yêu cầu dài tối đa %zu byte", "the body may be at most %zu bytes"), max));
        return false;
    }
    char *buf = arena_try_alloc(r->a, (size_t)n + 1);
    if (!buf) {
        drain_body(r);
        log_warn(r->c.request_id, "msg=\"body passes the request memory limit\" bytes=%llu limit=%zu", n, r->a->limit);
        resp_problem(r, PROBLEM_BODY_TOO_LARGE,
                     arena_sprintf(r->a, SAY(r, "thân yêu cầu không vừa %zu byte mà một yêu cầu được dùng",
                                             "the body does not fit in the %zu bytes a request may hold"), r->a->limit));
        return false;
    }
    size_t got = 0;
    while (got < n) {
        int k = FCGX_GetStr(buf + got, (int)(n - got), r->fx->in);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    if (got != n) {
        resp_problem(r, PROBLEM_INCOMPLETE_BODY, SAY(r, "thân yêu cầu ngắn hơn Content-Length", "the body is shorter than Content-Length"));
        return false;
    }
    buf[n] = '\0';
    r->body = buf;
    r->body_len = (size_t)n;
    return true;
}

/* A request over a fresh arena: what FastCGI gives, nothing answered yet. */
static void req_open(struct req *r, FCGX_Request *fx, struct arena *a, const char *rid)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    r->fx = fx;
    ctx_init(&r->c, a, rid);
    sbuf_init(&r->hdrs, a, 256);
    sbuf_init(&r->out, a, 2048);
    r->method = req_env(r, "REQUEST_METHOD");
    if (!r->method)
        r->method = "GET";
    r->path = req_env(r, "DOCUMENT_URI");
    if (!r->path) {
        const char *uri = req_env(r, "REQUEST_URI");
        r->path = uri ? arena_strndup(a, uri, strcspn(uri, "?")) : "/";
    }
    r->query = req_env(r, "QUERY_STRING");
    r->remote_addr = req_env(r, "REMOTE_ADDR");
    r->lang_en = http_prefers_english(req_env(r, "HTTP_ACCEPT_LANGUAGE"));
    if (!r->remote_addr)
        r->remote_addr = "unknown";
}

/* Route, body, authentication, the application's hooks and the handler.
 * *acted is set once the handler is entered. */
static void serve(struct req *r, bool *acted)
{
    clock_refresh(&r->c);

    switch (route_find(app->routes, r->method, r->path, &r->match)) {
    case ROUTE_NOT_FOUND:
        resp_problem(r, PROBLEM_NOT_FOUND, SAY(r, "không có điểm cuối (endpoint) này", "no such endpoint"));
        break;
    case ROUTE_BAD_METHOD:
        resp_header(r, "Allow", r->match.allow);
        resp_problem(r, PROBLEM_METHOD_NOT_ALLOWED,
                     arena_sprintf(r->a, SAY(r, "không dùng được %s ở đây; được phép: %s", "%s is not allowed here; allowed: %s"),
                                   r->method, r->match.allow));
        break;
    case ROUTE_FOUND: {
        const struct route *rt = r->match.route;
        if (!req_utf8_or_answer(r))
            break;
        /* credentials first: a body is read into memory only for a caller
         * the route accepts (a refused one's body is read and dropped) */
        if ((rt->flags & AUTH_USER) && !app->authenticate(r)) {
            drain_body(r);
            break;
        }
        if (!read_body_or_answer(r, (rt->flags & BODY_RAW) ? cfg.file_max : cfg.body_max))
            break;
        if (app->before && app->before(r))
            break;                 /* answered: a replay, or a refusal */
        *acted = true;
        rt->handler(r);
        if (!r->responded) {
            log_error(r->c.request_id, "msg=\"handler did not answer\" path=\"%.200s\"", r->path);
            resp_problem(r, PROBLEM_INTERNAL_ERROR, SAY(r, "yêu cầu không được trả lời", "the request was not answered"));
        }
        db_rollback(&r->c);
        if (app->after)
            app->after(r);
        break;
    }
    }
    db_rollback(&r->c);
}

/* serve() with the arena's exit set; false when the request left through it,
 * having passed the arena's limit. Nothing here changes after setjmp. */
static bool serve_within_limit(struct req *r, bool *acted)
{
    jmp_buf out;
    if (setjmp(out))
        return false;              /* the arena took its exit away as it left */
    arena_set_exit(r->a, &out);
    serve(r, acted);
    arena_set_exit(r->a, NULL);
    return true;
}

/* After a request passed its arena's limit: its transaction is rolled back,
 * its memory released, and it is answered 500 from a fresh arena. The
 * application's after() sees that answer when the handler had been entered
 * (an Idempotency-Key is let go). */
static void answer_past_limit(struct req *r, bool acted)
{
    struct arena *a = r->a;
    log_error(r->c.request_id, "msg=\"request memory limit passed\" limit=%zu wanted=%zu path=\"%.200s\"",
              a->limit, a->refused, r->path);
    db_rollback(&r->c);
    redis_abandoned();
    long long t0 = r->c.t0_us;
    int64_t user_id = r->user_id, session_id = r->session_id;
    const char *rid = r->c.request_id;
    arena_reset(a);
    req_open(r, r->fx, a, rid);
    r->c.t0_us = t0;
    r->user_id = user_id;
    r->session_id = session_id;
    resp_problem(r, PROBLEM_INTERNAL_ERROR, SAY(r, "yêu cầu cần nhiều bộ nhớ hơn mức một yêu cầu được dùng", "the request needs more memory than one request may hold"));
    if (acted && app->after && route_find(app->routes, r->method, r->path, &r->match) == ROUTE_FOUND)
        app->after(r);
    db_rollback(&r->c);
}

static void handle(FCGX_Request *fx, struct arena *a)
{
    /* request id, method and path live off the arena: they outlive a reset
     * and FCGX_Finish_r, for the access log line */
    char rid[65], method[16], path[201];
    const char *given = FCGX_GetParam("REQUEST_ID", fx->envp);
    if (rid_ok(given)) {
        snprintf(rid, sizeof rid, "%s", given);
    } else {
        unsigned char b[16];
        randombytes_buf(b, sizeof b);
        sodium_bin2hex(rid, sizeof rid, b, sizeof b);
    }
    struct req r;
    req_open(&r, fx, a, rid);
    bool acted = false;
    if (!serve_within_limit(&r, &acted))
        answer_past_limit(&r, acted);
    snprintf(method, sizeof method, "%s", r.method);
    snprintf(path, sizeof path, "%s", r.path);
    resp_send(&r);
    FCGX_Finish_r(fx);
    log_info(rid, "method=%s path=\"%s\" status=%d us=%lld user=%lld",
             method, path, r.status, now_us() - r.c.t0_us, (long long)r.user_id);
}

/* Waits until a connection may be waiting on the shared socket (true), or
 * this worker drains (false). Each thread has its own epoll set; the shared
 * socket is in it with EPOLLEXCLUSIVE, so a connection wakes one waiter, not
 * every thread of every worker. */
static bool wait_for_connection(int ep)
{
    for (;;) {
        struct epoll_event ev[2];
        int n = epoll_wait(ep, ev, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || atomic_load(&stopping))
            return false;
        for (int i = 0; i < n; i++)
            if (ev[i].data.fd == wake_fd[0])
                return false;
        return true;
    }
}

static void *thread_main(void *arg)
{
    (void)arg;
    FCGX_Request fx;
    struct arena a;
    arena_init(&a, ARENA_BLOCK, cfg.arena_max);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd };
    struct epoll_event wev = { .events = EPOLLIN, .data.fd = wake_fd[0] };
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &lev) != 0 ||
        epoll_ctl(ep, EPOLL_CTL_ADD, wake_fd[0], &wev) != 0 || FCGX_InitRequest(&fx, listen_fd, 0) != 0) {
        log_error(NULL, "msg=\"cannot set a thread up\" error=\"%s\"", strerror(errno));
        _exit(1);                  /* the master starts another worker */
    }
    if (app->thread_init)
        app->thread_init();
    while (wait_for_connection(ep)) {
        /* busy from before the accept: a connection accepted while the
         * worker drains is one the drain waits for. The thread counts
         * itself, then looks at stopping; the drain sets stopping, then
         * counts: one of the two sees the other. */
        atomic_fetch_add(&busy_threads, 1);
        if (atomic_load(&stopping)) {
            atomic_fetch_sub(&busy_threads, 1);
            break;
        }
        /* the socket is non-blocking: another thread or worker may have
         * taken the connection first (EAGAIN), and that is no failure */
        errno = 0;
        if (FCGX_Accept_r(&fx) < 0) {
            atomic_fetch_sub(&busy_threads, 1);
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || atomic_load(&stopping))
                continue;
            log_error(NULL, "msg=\"accept failed; the worker exits to be replaced\" error=\"%s\"", strerror(errno));
            _exit(1);
        }
        handle(&fx, &a);
        arena_reset(&a);
        atomic_fetch_sub(&busy_threads, 1);
    }
    FCGX_Free(&fx, 1);
    close(ep);
    arena_destroy(&a);
    if (app->thread_exit)
        app->thread_exit();
    db_close();
    redis_close();
    return NULL;
}

static void worker_main(void)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);       /* nothing to reload; never a reason to stop */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (getppid() == 1)
        _exit(0);
    if (pipe2(wake_fd, O_CLOEXEC | O_NONBLOCK) != 0) {
        log_error(NULL, "msg=\"cannot make the wake pipe\" error=\"%s\"", strerror(errno));
        _exit(1);
    }
    if (app->worker_init)
        app->worker_init();

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < cfg.threads; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, thread_main, NULL) != 0) {
            log_error(NULL, "msg=\"cannot start thread\" error=\"%s\"", strerror(errno));
            _exit(1);
        }
    }
    log_info(NULL, "msg=\"worker started\" threads=%d", cfg.threads);
    int sig = 0;
    sigwait(&set, &sig);
    atomic_store(&stopping, true);
    log_info(NULL, "msg=\"worker draining\" in_flight=%d", atomic_load(&busy_threads));
    /* wake this worker's waiting threads (the byte stays: every one sees
     * it); requests in flight go on; the other workers go on serving */
    ssize_t w = write(wake_fd[1], "x", 1);
    (void)w;
    long long deadline = now_us() + 20LL * 1000000;
    while (atomic_load(&busy_threads) > 0 && now_us() < deadline)
        usleep(10000);
    log_info(NULL, "msg=\"worker stopped\" in_flight=%d", atomic_load(&busy_threads));
    _exit(0);
}

int server_run(const struct app *description)
{
    app = description;
    app_use(app);
    if (FCGX_Init() != 0) {
        log_error(NULL, "msg=\"FCGX_Init failed\"");
        return 1;
    }
    unlink(cfg.socket_path);
    mode_t old = umask(0007);
    listen_fd = FCGX_OpenSocket(cfg.socket_path, cfg.backlog);
    umask(old);
    if (listen_fd < 0 || fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK) != 0) {
        log_error(NULL, "msg=\"cannot open socket\" path=%s", cfg.socket_path);
        return 1;
    }
    if (cfg.pidfile) {
        FILE *f = fopen(cfg.pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    signal(SIGPIPE, SIG_IGN);
    log_info(NULL, "msg=\"master started\" socket=%s workers=%d threads=%d backlog=%d",
             cfg.socket_path, cfg.workers, cfg.threads, cfg.backlog);
    int rc = supervise(cfg.workers, worker_main, 25);
    close(listen_fd);
    unlink(cfg.socket_path);
    if (cfg.pidfile)
        unlink(cfg.pidfile);
    log_info(NULL, "msg=\"master stopped\"");
    return rc;
}
