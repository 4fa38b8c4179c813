/*
 * store_pg_leads.c — leads upserted in batches in the PostgreSQL store (store.h,
 * lf_store_lead_upsert_batch; store_pg.c has the design): the importer's leads cost
 * three round trips a batch instead of two a lead.
 *
 * One query reads the batch's existing leads; the new ones are inserted by one
 * statement (lead_keys, then leads, rowids taken in batch order), the changed ones
 * updated by one statement. A lead another writer inserted meanwhile (its key
 * conflicts) is upserted alone after it, and a batch that names one id twice is
 * upserted one lead at a time: the result is always that of upserts one by one.
 */
#include <stdlib.h>
#include <string.h>

#include "leadflow/idmap.h"
#include "store_pg.h"

static const char q_get_many[] =
    "SELECT l.lead_id, l.id, l.email, l.created_at, l.source, l.channel, l.origin,"
    " l.persona, l.attrs, l.origin_given, l.persona_given"
    " FROM lead_keys k JOIN leads l ON l.lead_id = k.lead_id WHERE k.id = ANY($1::text[])";
static const char q_insert_many[] =
    "WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[],"
    "  $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])"
    "  WITH ORDINALITY AS t(id, email, created_at, source, channel, origin, persona, attrs,"
    "  origin_given, persona_given, ord)),"
    " k AS (INSERT INTO lead_keys(id, lead_id) SELECT id, nextval('leads_lead_id_seq')"
    "  FROM input ORDER BY ord ON CONFLICT DO NOTHING RETURNING id, lead_id)"
    " INSERT INTO leads(lead_id, id, email, created_at, source, channel, origin, persona,"
    " attrs, origin_given, persona_given) SELECT k.lead_id, i.id, i.email, i.created_at,"
    " i.source, i.channel, i.origin, i.persona, i.attrs, i.origin_given, i.persona_given"
    " FROM input i JOIN k ON k.id = i.id ORDER BY i.ord RETURNING lead_id, id";
static const char q_update_many[] =
    "UPDATE leads l SET email = u.email, created_at = u.created_at, source = u.source,"
    " channel = u.channel, origin = u.origin, persona = u.persona, attrs = u.attrs,"
    " origin_given = u.origin_given, persona_given = u.persona_given"
    " FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],"
    " $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])"
    " AS u(id, email, created_at, source, channel, origin, persona, attrs, origin_given,"
    " persona_given, lead_id) WHERE l.lead_id = u.lead_id";

enum { C_ID, C_EMAIL, C_CREATED, C_SOURCE, C_CHANNEL, C_ORIGIN, C_PERSONA, C_ATTRS,
       C_OGIVEN, C_PGIVEN, C_LEAD, C__COUNT };

/* The parameters of rows[pick[0..n)] (and their rowids when `lead`). */
static lf_status lead_arrays(pg_store *st, const lf_lead_row *rows, const size_t *pick,
                             size_t n, bool lead, pg_params *p)
{
    lf_buf_reset(&st->arr);
    pg_arrays a = {.b = &st->arr};
#define R (&rows[pick[i]])
    PG_ARRAY(&a, C_ID, n, lf_pg_arr_text(&a, C_ID, R->id));
    PG_ARRAY(&a, C_EMAIL, n, lf_pg_arr_text(&a, C_EMAIL, R->email));
    PG_ARRAY(&a, C_CREATED, n, lf_pg_arr_int(&a, C_CREATED, false, R->created_at));
    PG_ARRAY(&a, C_SOURCE, n, lf_pg_arr_text(&a, C_SOURCE, R->source));
    PG_ARRAY(&a, C_CHANNEL, n, lf_pg_arr_text(&a, C_CHANNEL, R->channel));
    PG_ARRAY(&a, C_ORIGIN, n, lf_pg_arr_text(&a, C_ORIGIN, R->origin));
    PG_ARRAY(&a, C_PERSONA, n, lf_pg_arr_text(&a, C_PERSONA, R->persona));
    PG_ARRAY(&a, C_ATTRS, n, lf_pg_arr_text(&a, C_ATTRS, R->attrs_json));
    PG_ARRAY(&a, C_OGIVEN, n, lf_pg_arr_text(&a, C_OGIVEN, R->origin_given));
    PG_ARRAY(&a, C_PGIVEN, n, lf_pg_arr_text(&a, C_PGIVEN, R->persona_given));
    if (lead)
        PG_ARRAY(&a, C_LEAD, n, lf_pg_arr_int(&a, C_LEAD, false, R->rowid));
#undef R
    if (a.s != LF_OK)
        return a.s;
    for (int k = 0; k < (lead ? C__COUNT : C_LEAD); k++)
        lf_pg_text(p, st->arr.data + a.off[k]);
    return LF_OK;
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

/* Inserts rows[pick[0..n)]; those another writer added meanwhile are upserted alone. */
static lf_status insert_new(pg_store *st, lf_lead_row *rows, size_t *pick, size_t n,
                            const lf_idmap *index, lf_upsert *results, lf_error *err)
{
    pg_params p = {0};
    if (lead_arrays(st, rows, pick, n, false, &p) != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    PGresult *r = lf_pg_exec(&st->base, "leads_insert_many", q_insert_many, &p, err,
                             "cannot insert leads");
    if (!r)
        return LF_ESTORE;
    for (size_t i = 0; i < n; i++)
        results[pick[i]] = (lf_upsert)-1;
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t at;
        const char *id = PQgetvalue(r, i, 1);
        if (lf_idmap_get(index, id, strlen(id), &at)) {
            rows[at].rowid = lf_pg_int64(r, i, 0);
            results[at] = LF_UPSERT_NEW;
        }
    }
    PQclear(r);
    size_t late = 0;
    for (size_t i = 0; i < n; i++)
        if (results[pick[i]] == (lf_upsert)-1)
            pick[late++] = pick[i];
    return one_by_one(&st->base, rows, pick, late, results, err);
}

/* Sorts the batch's rows into new and existing ones (the latter SAME or UPDATED), as
 * the read of the existing ones in g says. */
static void classify(const PGresult *g, lf_lead_row *rows, size_t n, const lf_idmap *index,
                     size_t *fresh, size_t *nfresh, size_t *changed, size_t *nchanged,
                     lf_upsert *results)
{
    for (size_t i = 0; i < n; i++)
        results[i] = LF_UPSERT_NEW;
    for (int r = 0; r < PQntuples(g); r++) {
        int64_t at;
        const char *id = PQgetvalue(g, r, 1);
        if (!lf_idmap_get(index, id, strlen(id), &at))
            continue;
        rows[at].rowid = lf_pg_int64(g, r, 0);
        results[at] = lf_pg_same_lead(g, r, &rows[at]) ? LF_UPSERT_SAME : LF_UPSERT_UPDATED;
    }
    *nfresh = *nchanged = 0;
    for (size_t i = 0; i < n; i++) {
        if (results[i] == LF_UPSERT_NEW)
            fresh[(*nfresh)++] = i;
        else if (results[i] == LF_UPSERT_UPDATED)
            changed[(*nchanged)++] = i;
    }
}

/* The batch once its ids are known to be distinct (index: id -> position). */
static lf_status upsert_distinct(pg_store *st, lf_lead_row *rows, size_t n,
                                 const lf_idmap *index, size_t *pick, lf_upsert *results,
                                 lf_error *err)
{
    for (size_t i = 0; i < n; i++)
        pick[i] = i;
    pg_params p = {0};
    if (lead_arrays(st, rows, pick, n, false, &p) != LF_OK)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    pg_params ids = {0};
    lf_pg_text(&ids, p.v[C_ID]);
    PGresult *g = lf_pg_exec(&st->base, "leads_get_many", q_get_many, &ids, err,
                             "cannot read leads");
    if (!g)
        return LF_ESTORE;
    size_t nfresh, nchanged;
    classify(g, rows, n, index, pick, &nfresh, pick + n, &nchanged, results);
    PQclear(g);
    lf_status s = LF_OK;
    if (nchanged) {
        pg_params u = {0};
        s = lead_arrays(st, rows, pick + n, nchanged, true, &u) == LF_OK
                ? lf_pg_run(st, "leads_update_many", q_update_many, &u, NULL, err,
                            "cannot update leads")
                : lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (s == LF_OK && nfresh)
        s = insert_new(st, rows, pick, nfresh, index, results, err);
    return s;
}

lf_status lf_pg_lead_upsert_batch(lf_store *base, lf_lead_row *rows, size_t n,
                                  lf_upsert *results, lf_error *err)
{
    pg_store *st = (pg_store *)base;
    if (n == 0)
        return LF_OK;
    size_t *pick = malloc(2 * n * sizeof *pick);
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
        s = upsert_distinct(st, rows, n, &index, pick, results, err);
    lf_idmap_release(&index);
    free(pick);
    return s;
}
