/* A daemon of the stack (qlvb-notify, ...), built from the runtime's parts:
 * the process model of supervise.h with one child, which runs the daemon's
 * loop until SIGTERM asks it to stop; a master that writes a pid file and
 * starts another child when one dies (kill -9 included). */
#ifndef QLVB_DAEMON_H
#define QLVB_DAEMON_H

#include <signal.h>
#include <stdbool.h>

struct daemon {
    const char *name;
    /* The child's loop: returns when *stop turns true (SIGTERM); it should
     * look at it at least every second. */
    void (*run)(const volatile sig_atomic_t *stop);
    int drain_s;                  /* how long a stopping child may take */
};

/* Runs the daemon until SIGTERM; pidfile (may be NULL) names the master.
 * Returns the exit code. */
int daemon_run(const struct daemon *d, const char *pidfile);

#endif
