// Debian's libpq (libpq-dev), PostgreSQL's own C client: the experiment ledger shared by several
// replicas. pkg-config `libpq` adds /usr/include/postgresql. Only Sources/TandemLedgerStore imports it.
#include <libpq-fe.h>
