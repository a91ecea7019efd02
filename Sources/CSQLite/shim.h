// Debian's SQLite 3 (libsqlite3-dev): the embedded experiment ledger. Only Sources/TandemLedgerStore
// imports this module.
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import: it tells
// sqlite3_bind_text to copy the bytes before it returns.
static inline sqlite3_destructor_type tandem_sqlite_transient(void) { return SQLITE_TRANSIENT; }
