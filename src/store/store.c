/*
 * store.c — the store interface (leadflow/store.h): lf_store_open chooses a backend by
 * URL, and every other function dispatches through the backend's method table
 * (store_impl.h). No SQL and no backend detail lives here.
 *
 * URLs: "postgresql://..." or "postgres://..." name a PostgreSQL server (store_pg.c);
 * anything else is a SQLite file path (store_sqlite.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

bool lf_store_url_is_file(const char *url)
{
    return strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0;
}

lf_status lf_store_open(lf_store **out, const char *url, lf_error *err)
{
    *out = NULL;
    if (!lf_store_url_is_file(url))
        return lf_store_pg_open(out, url, err);
    return lf_store_sqlite_open(out, url, err);
}

void lf_store_close(lf_store *st)
{
    if (st)
        st->ops->close(st);
}

const char *lf_store_location(const lf_store *st)
{
    return st->ops->location(st);
}

lf_status lf_store_begin(lf_store *st, lf_error *err)
{
    return st->ops->begin(st, err);
}

lf_status lf_store_commit(lf_store *st, lf_error *err)
{
    return st->ops->commit(st, err);
}

lf_status lf_store_rollback(lf_store *st, lf_error *err)
{
    return st->ops->rollback(st, err);
}

lf_status lf_store_read_begin(lf_store *st, lf_error *err)
{
    return st->ops->read_begin(st, err);
}

void lf_store_read_end(lf_store *st)
{
    st->ops->read_end(st);
}

lf_status lf_store_generation(lf_store *st, int64_t *generation, lf_error *err)
{
    return st->ops->generation(st, generation, err);
}

lf_status lf_store_set_auto_checkpoint(lf_store *st, bool on, lf_error *err)
{
    return st->ops->set_auto_checkpoint(st, on, err);
}

lf_status lf_store_set_frequent_commits(lf_store *st, bool on, lf_error *err)
{
    return st->ops->set_frequent_commits(st, on, err);
}

lf_status lf_store_checkpoint(lf_store *st, lf_error *err)
{
    return st->ops->checkpoint(st, err);
}

lf_status lf_store_sync_log(lf_store *st, lf_error *err)
{
    return st->ops->sync_log(st, err);
}

lf_status lf_store_set_durable(lf_store *st, bool durable, lf_error *err)
{
    return st->ops->set_durable(st, durable, err);
}

lf_status lf_store_file_id(lf_store *st, const char *name, int64_t *id, lf_error *err)
{
    return st->ops->file_id(st, name, id, err);
}

lf_status lf_store_lead_upsert(lf_store *st, lf_lead_row *row, lf_upsert *result,
                               lf_error *err)
{
    return st->ops->lead_upsert(st, row, result, err);
}

lf_status lf_store_lead_upsert_batch(lf_store *st, lf_lead_row *rows, size_t n,
                                     lf_upsert *results, lf_error *err)
{
    return st->ops->lead_upsert_batch(st, rows, n, results, err);
}

lf_status lf_store_lead_ids(lf_store *st, lf_lead_id_fn fn, void *ctx, lf_error *err)
{
    return st->ops->lead_ids(st, fn, ctx, err);
}

lf_status lf_store_lead_count(lf_store *st, int64_t *n, lf_error *err)
{
    return st->ops->lead_count(st, n, err);
}

lf_status lf_store_lead_get(lf_store *st, const char *id, lf_lead_row *row, bool *found,
                            lf_error *err)
{
    return st->ops->lead_get(st, id, row, found, err);
}

lf_status lf_store_lead_rowid(lf_store *st, const char *id, int64_t *rowid, bool *found,
                              lf_error *err)
{
    return st->ops->lead_rowid(st, id, rowid, found, err);
}

lf_status lf_store_lead_classify(lf_store *st, int64_t lead, const char *channel,
                                 const char *origin, const char *persona, lf_error *err)
{
    return st->ops->lead_classify(st, lead, channel, origin, persona, err);
}

lf_status lf_store_event_append(lf_store *st, const lf_event_row *ev, int64_t *seq,
                                lf_error *err)
{
    return st->ops->event_append(st, ev, seq, err);
}

lf_status lf_store_event_append_batch(lf_store *st, const lf_event_row *ev, size_t n,
                                      int64_t *seqs, lf_error *err)
{
    return st->ops->event_append_batch(st, ev, n, seqs, err);
}

lf_status lf_store_reject_add(lf_store *st, const char *kind, const char *file, long line,
                              const char *reason, const char *raw, size_t rawlen, lf_error *err)
{
    return st->ops->reject_add(st, kind, file, line, reason, raw, rawlen, err);
}

lf_status lf_store_rejects_scan(lf_store *st, lf_reject_fn fn, void *ctx, lf_error *err)
{
    return st->ops->rejects_scan(st, fn, ctx, err);
}

lf_status lf_store_series_set(lf_store *st, lf_series s, const char *date, const char *channel,
                              double amount, bool *changed, lf_error *err)
{
    return st->ops->series_set(st, s, date, channel, amount, changed, err);
}

lf_status lf_store_scan_events(lf_store *st, const int64_t *leads, size_t n,
                               lf_lead_events_fn fn, void *ctx, lf_error *err)
{
    return st->ops->scan_events(st, leads, n, fn, ctx, err);
}

lf_status lf_store_scan_range(lf_store *st, int64_t lo, int64_t hi, lf_lead_events_fn fn,
                              void *ctx, lf_error *err)
{
    return st->ops->scan_range(st, lo, hi, fn, ctx, err);
}

lf_status lf_store_lead_events(lf_store *st, int64_t lead, lf_stored_event_fn fn, void *ctx,
                               lf_error *err)
{
    return st->ops->lead_events(st, lead, fn, ctx, err);
}

lf_status lf_store_log_scan(lf_store *st, int64_t after_seq, size_t limit, lf_log_event_fn fn,
                            void *ctx, lf_error *err)
{
    return st->ops->log_scan(st, after_seq, limit, fn, ctx, err);
}

lf_status lf_store_pending_mark(lf_store *st, const int64_t *leads, size_t n, lf_error *err)
{
    return st->ops->pending_mark(st, leads, n, err);
}

lf_status lf_store_pending_list(lf_store *st, int64_t **leads, size_t *n, lf_error *err)
{
    return st->ops->pending_list(st, leads, n, err);
}

lf_status lf_store_derived_write(lf_store *st, const lf_lead_events *le, const lf_lead_state *ls,
                                 lf_error *err)
{
    return st->ops->derived_write(st, le, ls, err);
}

lf_status lf_store_handoff_times(lf_store *st, lf_handoff_time_fn fn, void *ctx, lf_error *err)
{
    return st->ops->handoff_times(st, fn, ctx, err);
}

lf_status lf_store_ignored_counts(lf_store *st, int64_t min_seq, lf_reason_count_fn fn,
                                  void *ctx, lf_error *err)
{
    return st->ops->ignored_counts(st, min_seq, fn, ctx, err);
}

lf_status lf_store_ignored_scan(lf_store *st, lf_ignored_fn fn, void *ctx, lf_error *err)
{
    return st->ops->ignored_scan(st, fn, ctx, err);
}

lf_status lf_store_scan_state(lf_store *st, lf_state_fn fn, void *ctx, lf_error *err)
{
    return st->ops->scan_state(st, fn, ctx, err);
}

lf_status lf_store_scan_series(lf_store *st, lf_series series, lf_amount_fn fn, void *ctx,
                               lf_error *err)
{
    return st->ops->scan_series(st, series, fn, ctx, err);
}

lf_status lf_store_scan_lead_attr(lf_store *st, const char *name, lf_attr_value_fn fn, void *ctx,
                                  lf_error *err)
{
    return st->ops->scan_lead_attr(st, name, fn, ctx, err);
}

/* ---- the outbox ---------------------------------------------------------------------- */

lf_status lf_store_outbox_add(lf_store *st, lf_outbox_row *row, bool *added, lf_error *err)
{
    return st->outbox->add(st, row, added, err);
}

lf_status lf_store_outbox_due(lf_store *st, lf_time now, size_t limit, lf_outbox_fn fn,
                              void *ctx, lf_error *err)
{
    return st->outbox->due(st, now, limit, fn, ctx, err);
}

lf_status lf_store_outbox_scan(lf_store *st, unsigned statuses, lf_outbox_fn fn, void *ctx,
                               lf_error *err)
{
    return st->outbox->scan(st, statuses, fn, ctx, err);
}

lf_status lf_store_outbox_claim(lf_store *st, int64_t lead, int64_t n, lf_time expect,
                                lf_time lease, lf_time now, const char *body, bool *claimed,
                                lf_error *err)
{
    return st->outbox->claim(st, lead, n, expect, lease, now, body, claimed, err);
}

lf_status lf_store_outbox_result(lf_store *st, int64_t lead, int64_t n, int status,
                                 lf_time next_at, const char *error, lf_error *err)
{
    return st->outbox->result(st, lead, n, status, next_at, error, err);
}

lf_status lf_store_outbox_requeue(lf_store *st, lf_time now, int64_t *count, lf_error *err)
{
    return st->outbox->requeue(st, now, count, err);
}

lf_status lf_store_outbox_put(lf_store *st, const lf_outbox_row *row, lf_error *err)
{
    return st->outbox->put(st, row, err);
}

lf_status lf_store_lead_handoffs(lf_store *st, int64_t lead, lf_handoff_row_fn fn, void *ctx,
                                 lf_error *err)
{
    return st->outbox->lead_handoffs(st, lead, fn, ctx, err);
}

lf_status lf_store_lock_timeout(int *seconds, lf_error *err)
{
    const char *v = getenv("LEADFLOW_LOCK_TIMEOUT");
    *seconds = 30;
    if (!v || !*v)
        return LF_OK;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < 0 || n > 86400)
        return lf_errorf(err, LF_ECONFIG,
                         "LEADFLOW_LOCK_TIMEOUT: expected whole seconds from 0 to 86400");
    *seconds = (int)n;
    return LF_OK;
}
