/*
 * store_pg_leads.c — leads upserted in batches in the PostgreSQL store (store.h,
 * lf_store_lead_upsert_batch; store_pg.c has the design): the importer's leads cost
 * one COPY and one statement a batch instead of two round trips a lead.
 *
 * The batch is copied into a staging table (store_pg.h, lf_pg_stage), then one
 * statement reads the batch's existing leads, updates those that changed, inserts the
 * new ones (lead_keys, then leads, rowids taken in batch order) and returns each row's
 * lead and outcome. A lead another writer inserted meanwhile (its key conflicts: it
 * has no row in the result) is upserted alone after it, and a batch that names one id
 * twice is upserted one lead at a time: the result is always that of upserts one by
 * one.
 */
#include <stdlib.h>
#include <string.h>

#include "leadflow/idmap.h"
#include "store_pg.h"

#define LEADS_IN "pg_temp.lf_leads_in"
#define LEADS_CREATE                                                                       \
    "CREATE TEMP TABLE IF NOT EXISTS lf_leads_in(ord bigint, id text, email text,"         \
    " created_at bigint, source text, channel text, origin text, persona text, attrs text," \
    " origin_given text, persona_given text)"
static const pg_stage leads_stage = {PG_STAGE_LEADS, LEADS_CREATE, "TRUNCATE " LEADS_IN,
                                     "COPY " LEADS_IN " FROM STDIN"};

/* A column unchanged: text compares by its bytes (deterministic collations), a NULL
 * equals only a NULL. */
#define SAME(c) " l." c " IS NOT DISTINCT FROM s." c
/* The outcome of each row: 's' same, 'u' updated, 'n' new; none when another writer
 * inserted the id meanwhile (its lead_keys insert conflicted). A batch's existing leads
 * are looked up one id at a time through the keys' index (LATERAL ... OFFSET 0: the
 * planner, which knows nothing of the staging table's rows, would rather hash-join a
 * scan of every lead_keys row, a cost that grows with the store). */
static const char q_leads_batch[] =
    "WITH s AS (SELECT * FROM " LEADS_IN " WHERE ord > $1::bigint),"
    " old AS (SELECT s.ord, l.lead_id, l.created_at = s.created_at AND" SAME("email")
    "  AND" SAME("source") " AND" SAME("channel") " AND" SAME("origin") " AND" SAME("persona")
    "  AND" SAME("attrs") " AND" SAME("origin_given") " AND" SAME("persona_given") " AS same"
    "  FROM s, LATERAL (SELECT l.* FROM lead_keys k JOIN leads l ON l.lead_id = k.lead_id"
    "  WHERE k.id = s.id OFFSET 0) l),"
    " upd AS (UPDATE leads l SET email = s.email, created_at = s.created_at,"
    "  source = s.source, channel = s.channel, origin = s.origin, persona = s.persona,"
    "  attrs = s.attrs, origin_given = s.origin_given, persona_given = s.persona_given"
    "  FROM old o JOIN s ON s.ord = o.ord WHERE l.lead_id = o.lead_id AND NOT o.same),"
    " k AS (INSERT INTO lead_keys(id, lead_id) SELECT s.id, nextval('leads_lead_id_seq')"
    "  FROM s WHERE NOT EXISTS (SELECT FROM old o WHERE o.ord = s.ord)"
    "  ORDER BY s.ord ON CONFLICT DO NOTHING RETURNING id, lead_id),"
    " ins AS (INSERT INTO leads(lead_id, id, email, created_at, source, channel, origin,"
    "  persona, attrs, origin_given, persona_given) SELECT k.lead_id, s.id, s.email,"
    "  s.created_at, s.source, s.channel, s.origin, s.persona, s.attrs, s.origin_given,"
    "  s.persona_given FROM s JOIN k ON k.id = s.id ORDER BY s.ord RETURNING lead_id, id)"
    " SELECT o.ord, o.lead_id, CASE WHEN o.same THEN 's' ELSE 'u' END FROM old o"
    " UNION ALL SELECT s.ord, ins.lead_id, 'n' FROM ins JOIN s ON s.id = ins.id";

/* rows[0..n) as rows of lf_leads_in numbered from base + 1, into st->arr. */
static lf_status lead_rows(pg_store *st, const lf_lead_row *rows, size_t n, int64_t base)
{
    lf_buf_reset(&st->arr);
    pg_copy c;
    lf_pg_copy_init(&c, &st->arr);
    for (size_t i = 0; c.s == LF_OK && i < n; i++) {
        const lf_lead_row *r = &rows[i];
        lf_pg_copy_int(&c, false, base + 1 + (int64_t)i);
        lf_pg_copy_text(&c, r->id);
        lf_pg_copy_text(&c, r->email);
        lf_pg_copy_int(&c, false, r->created_at);
        lf_pg_copy_text(&c, r->source);
        lf_pg_copy_text(&c, r->channel);
        lf_pg_copy_text(&c, r->origin);
        lf_pg_copy_text(&c, r->persona);
        lf_pg_copy_text(&c, r->attrs_json);
        lf_pg_copy_text(&c, r->origin_given);
        lf_pg_copy_text(&c, r->persona_given);
        lf_pg_copy_eol(&c);
    }
    return c.s;
}

/* One by one (a batch that names an id twice, or leads added by another writer). */
static lf_status one_by_one(lf_store *base, lf_lead_row *rows, const size_t *pick, size_t n,
                            lf_upsert *results, lf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        lf_status s = lf_pg_lead_upsert(base, &rows[pick[i]], &results[pick[i]], err);
        if (s != LF_OK)
            return s;
    }
    return LF_OK;
}

/* The batch once its ids are known to be distinct; pick: room for n positions. */
static lf_status upsert_distinct(pg_store *st, lf_lead_row *rows, size_t n, size_t *pick,
                                 lf_upsert *results, lf_error *err)
{
    int64_t from = st->stage_ord;
    if (lead_rows(st, rows, n, from) != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    PGresult *r = lf_pg_stage(st, &leads_stage, &st->arr, n, "leads_batch", q_leads_batch, err,
                              "cannot upsert leads");
    if (!r)
        return LF_ESTORE;
    for (size_t i = 0; i < n; i++)
        results[i] = (lf_upsert)-1;
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t at = lf_pg_int64(r, i, 0) - from;
        char how = *PQgetvalue(r, i, 2);
        if (at < 1 || (uint64_t)at > n)
            continue;
        rows[at - 1].rowid = lf_pg_int64(r, i, 1);
        results[at - 1] = how == 'n'   ? LF_UPSERT_NEW
                           : how == 'u' ? LF_UPSERT_UPDATED
                                        : LF_UPSERT_SAME;
    }
    PQclear(r);
    size_t late = 0;
    for (size_t i = 0; i < n; i++)
        if (results[i] == (lf_upsert)-1)
            pick[late++] = i;
    return one_by_one(&st->base, rows, pick, late, results, err);
}

lf_status lf_pg_lead_upsert_batch(lf_store *base, lf_lead_row *rows, size_t n,
                                  lf_upsert *results, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    if (n == 0)
        return LF_OK;
    size_t *pick = malloc(n * sizeof *pick);
    lf_idmap index;
    lf_idmap_init(&index);
    lf_status s = pick ? LF_OK : LF_ENOMEM;
    bool twice = false;
    for (size_t i = 0; s == LF_OK && !twice && i < n; i++) {
        int64_t at;
        twice = lf_idmap_get(&index, rows[i].id, strlen(rows[i].id), &at);
        if (!twice)
            s = lf_idmap_put(&index, rows[i].id, strlen(rows[i].id), (int64_t)i);
    }
    if (s != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    else if (twice) {
        for (size_t i = 0; i < n; i++)
            pick[i] = i;
        s = one_by_one(base, rows, pick, n, results, err);
    } else
        s = upsert_distinct(st, rows, n, pick, results, err);
    lf_idmap_release(&index);
    free(pick);
    return s;
}
