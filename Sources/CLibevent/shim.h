// Headers only (system headers come from Glibc in Swift, not from here, to avoid
// duplicate-definition clashes between modules): every libevent API Tandem uses is reachable through these includes.
// Macros that Swift cannot import (evtimer_new, evsignal_new, ...) are replaced in
// TandemIO by direct calls to the functions they expand to (event_new, ...).
#ifndef TANDEM_CLIBEVENT_SHIM_H
#define TANDEM_CLIBEVENT_SHIM_H
#include <event2/event.h>
#include <event2/thread.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>
#endif
