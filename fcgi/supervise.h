/* The process model every long-running program of the stack shares: a
 * master that runs n child processes, starts another when one ends (each
 * at most once a second, so one that dies as it starts does not spin), and
 * on SIGTERM or SIGINT sends them SIGTERM, waits for them to finish their
 * work (drain_s seconds at most), then kills what is left. qlvb-api's
 * workers and the daemons (daemon.h) run under it. */
#ifndef QLVB_SUPERVISE_H
#define QLVB_SUPERVISE_H

/* Runs until SIGTERM or SIGINT; child_main never returns (it _exits).
 * Returns the master's exit code. */
int supervise(int n, void (*child_main)(void), int drain_s);

#endif
