/* The qlvb-api process model: a master opens the FastCGI socket, forks the
 * worker processes and restarts any that dies; each worker runs a pool of
 * threads in the libfcgi accept loop, serving the application described by
 * struct app. SIGTERM drains and stops. */
#ifndef QLVB_SERVER_H
#define QLVB_SERVER_H

#include "app.h"

/* Runs the master until SIGTERM; returns the process exit code. */
int server_run(const struct app *app);

#endif
