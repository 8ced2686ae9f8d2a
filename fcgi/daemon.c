/* Daemons: see daemon.h. */
#include "daemon.h"
#include "log.h"
#include "supervise.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct daemon *the;
static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static void child(void)
{
    struct sigaction sa = { .sa_handler = on_stop };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    log_info(NULL, "msg=\"%s started\" pid=%d", the->name, (int)getpid());
    the->run(&stop);
    log_info(NULL, "msg=\"%s stopped\" pid=%d", the->name, (int)getpid());
    _exit(0);
}

int daemon_run(const struct daemon *d, const char *pidfile)
{
    the = d;
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (!f) {
            log_error(NULL, "msg=\"cannot write the pid file\" path=%s", pidfile);
            return 1;
        }
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
    signal(SIGPIPE, SIG_IGN);
    log_info(NULL, "msg=\"%s master started\"", d->name);
    int rc = supervise(1, child, d->drain_s > 0 ? d->drain_s : 10);
    if (pidfile)
        unlink(pidfile);
    log_info(NULL, "msg=\"%s master stopped\"", d->name);
    return rc;
}
