// Headers only: every libevent API Tandem uses is reachable through these includes.
// Macros that Swift cannot import (evtimer_new, evsignal_new, ...) are replaced in
// TandemIO by direct calls to the functions they expand to (event_new, ...).
//
// The system headers come FIRST, before event2/event-config.h defines _GNU_SOURCE: that way they
// resolve to the Glibc module as Swift sees it, instead of being re-parsed here under different
// feature macros (which clashes, e.g. "fd_set::fds_bits is not present in SwiftGlibc").
#ifndef TANDEM_CLIBEVENT_SHIM_H
#define TANDEM_CLIBEVENT_SHIM_H
#include <sys/types.h>
#include <sys/time.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <time.h>
#include <netdb.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <malloc.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

// accept(2) without a peer address. In C a (struct sockaddr *) converts to glibc's __SOCKADDR_ARG
// whether or not _GNU_SOURCE turned it into a transparent union, so Swift needs no variant per config.
static inline int tandem_accept(int fd) {
    return accept(fd, (struct sockaddr *)0, (socklen_t *)0);
}

// Sets the nice value of the calling thread only. Linux schedules threads as tasks, and
// setpriority(PRIO_PROCESS, tid) with the thread's kernel id changes just that one; the id comes from
// gettid(2), which Swift's Glibc module does not expose (glibc declares it only under _GNU_SOURCE).
// Lowering a thread's own priority needs no privilege. Returns 0, or -1 with errno set.
static inline int tandem_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

// Names the calling thread for the kernel (/proc/self/task/TID/comm, top -H); prctl(2) is variadic,
// which Swift cannot call directly. The kernel keeps the first 15 bytes.
static inline void tandem_set_thread_name(const char *name) {
    (void)prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

// The nice value of the calling thread (see above).
static inline int tandem_thread_nice(void) {
    return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}
// glibc malloc tuning for TandemIO's SystemMemory: M_ARENA_MAX is a macro, given here as a constant.
static const int tandem_m_arena_max = M_ARENA_MAX;
#endif
