/* Supervision: see supervise.h. */
#include "supervise.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
    (void)sig;
    got_term = 1;
}

static void on_hup(int sig)
{
    (void)sig;                     /* nothing to reload: the configuration is the environment */
}

static pid_t spawn(void (*child_main)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        child_main();
        _exit(0);
    }
    if (pid < 0)
        log_error(NULL, "msg=\"fork failed\" error=\"%s\"", strerror(errno));
    return pid;
}

int supervise(int n, void (*child_main)(void), int drain_s)
{
    struct sigaction sa = { .sa_handler = on_term };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct sigaction hup = { .sa_handler = on_hup };
    sigemptyset(&hup.sa_mask);
    sigaction(SIGHUP, &hup, NULL);

    pid_t *pids = calloc((size_t)n, sizeof *pids);
    long long *started = calloc((size_t)n, sizeof *started);
    if (!pids || !started)
        return 1;
    for (int i = 0; i < n; i++) {
        pids[i] = spawn(child_main);
        started[i] = now_us();
    }
    /* Every 50 ms: reap the children that ended and start their successors;
     * one that could not be forked is tried again. */
    while (!got_term) {
        int st;
        pid_t pid;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
            for (int i = 0; i < n; i++) {
                if (pids[i] != pid)
                    continue;
                if (WIFSIGNALED(st))
                    log_warn(NULL, "msg=\"worker died\" worker_pid=%d signal=%d", pid, WTERMSIG(st));
                else
                    log_warn(NULL, "msg=\"worker exited\" worker_pid=%d code=%d", pid, WEXITSTATUS(st));
                pids[i] = 0;
            }
        }
        for (int i = 0; i < n && !got_term; i++) {
            if (pids[i] > 0 || now_us() - started[i] < 1000000)
                continue;          /* running, or started (or tried) less than a second ago */
            pids[i] = spawn(child_main);
            started[i] = now_us();
        }
        usleep(50000);
    }
    log_info(NULL, "msg=\"master stopping\"");
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
    long long deadline = now_us() + (long long)drain_s * 1000000;
    int alive = n;
    while (alive > 0) {
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid > 0) {
            alive--;
            continue;
        }
        if (pid < 0 && errno == ECHILD)
            break;
        if (now_us() > deadline) {
            for (int i = 0; i < n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGKILL);
            deadline = now_us() + 5LL * 1000000;
        }
        usleep(20000);
    }
    free(pids);
    free(started);
    return 0;
}
