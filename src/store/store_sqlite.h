/*
 * store_sqlite.h — what the SQLite backend's files share (private to src/store): the
 * connection and the error of a failed statement (store_sqlite.c), and the outbox's
 * method table (store_sqlite_outbox.c), whose statements are prepared on first use and
 * finalized when the store closes.
 */
#ifndef LEADFLOW_STORE_SQLITE_H
#define LEADFLOW_STORE_SQLITE_H

#include <sqlite3.h>

#include "store_impl.h"

struct sq_outbox;

/* The store's connection. */
sqlite3 *lf_sq_db(lf_store *st);
/* Where the outbox keeps its statements (NULL until first use). */
struct sq_outbox **lf_sq_outbox_slot(lf_store *st);
/* LF_ESTORE for a failed statement (rc): "busy" when it waited for the lock, else
 * "store 'P': WHAT: sqlite message". */
lf_status lf_sq_error(lf_store *st, int rc, lf_error *err, const char *what);

/* Binds text, or NULL as null. */
void lf_sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Binds an instant, or LF_TIME_NONE as null. */
void lf_sq_bind_time(sqlite3_stmt *s, int i, lf_time t);
/* Column i as an instant, null as LF_TIME_NONE. */
lf_time lf_sq_col_time(sqlite3_stmt *s, int i);

extern const lf_store_outbox_ops lf_sq_outbox_ops;
/* Finalizes the outbox's statements (at close). */
void lf_sq_outbox_close(lf_store *st);

#endif
