/*
 * notes.c — what a report run tells a new user beside its numbers (SPEC §7): that the
 * range holds no data and where the data is, and which figures are missing because
 * their input was never imported (see leadflow/report.h).
 *
 * Place in the flow: dataset -> [notes] -> front ends (stderr, the HTML page) and,
 * for missing inputs, the report tables themselves (lf_report_mark_missing, called by
 * the reports last). Pure: reads the dataset and the arguments, prints nothing.
 *
 * Missing inputs are derived from the dataset, not recorded by the store: spend and
 * traffic are there or not (ds->ncosts, ds->ntraffic); contacts are known through the
 * handoffs' first contacts and amounts through the customers' revenue. An input is
 * only missing when there is something it would describe: with no handoff at all the
 * speed report's zeros are true (no MQL to contact), with no customer at all revenue
 * 0 is true, and an empty store lacks nothing but leads (its own note says so). One table (`rules`) says which columns of which report need
 * which input; the table notes and the run notes are written from it, so they
 * cannot disagree.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_util.h"

/* ---- inputs ------------------------------------------------------------------------- */

unsigned lf_report_inputs(const lf_dataset *ds)
{
    if (!ds->nleads)
        return LF_INPUT_ALL; /* an empty store: its note says "import leads first" */
    unsigned in = 0;
    if (ds->ncosts)
        in |= LF_INPUT_SPEND;
    if (ds->ntraffic)
        in |= LF_INPUT_TRAFFIC;
    if (!ds->nhandoffs)
        in |= LF_INPUT_CONTACTS;
    for (size_t i = 0; i < ds->nhandoffs && !(in & LF_INPUT_CONTACTS); i++)
        if (ds->handoffs[i].first_contact_at != LF_TIME_NONE)
            in |= LF_INPUT_CONTACTS;
    bool customers = false;
    for (size_t i = 0; i < ds->nleads && !(in & LF_INPUT_AMOUNTS); i++) {
        if (ds->leads[i].won_at == LF_TIME_NONE)
            continue;
        customers = true;
        if (ds->leads[i].revenue != 0)
            in |= LF_INPUT_AMOUNTS;
    }
    if (!customers)
        in |= LF_INPUT_AMOUNTS;
    return in;
}

/* Which columns of which report need which input. */
static const struct rule {
    const char *report;
    unsigned input;
    const char *const cols[7]; /* NULL-terminated */
} rules[] = {
    {"speed", LF_INPUT_CONTACTS, {"contacted", "within_target", "within_target_rate", NULL}},
    {"cost",
     LF_INPUT_SPEND,
     {"cost", "cost_per_lead", "cost_per_mql", "cost_per_sql", "lagged_cost",
      "lagged_cost_per_sql", NULL}},
    {"channel", LF_INPUT_AMOUNTS, {"revenue", "roi", NULL}},
    {"channel", LF_INPUT_SPEND, {"cost", "cost_per_lead", "cost_per_sql", "roi", NULL}},
    {"customers", LF_INPUT_AMOUNTS, {"revenue", "marketing_revenue", NULL}},
    {"customers", LF_INPUT_TRAFFIC, {"visitors", "visitor_to_lead", NULL}},
};

/* Why an input is missing and what to import, for a marketing-operations reader. */
static const char *why(unsigned input)
{
    switch (input) {
    case LF_INPUT_CONTACTS:
        return "no MQL in the store has a contacted event; import your CRM's contacted "
               "events with leadflow import events FILE";
    case LF_INPUT_SPEND:
        return "no spend has been imported; import it with leadflow import costs FILE";
    case LF_INPUT_TRAFFIC:
        return "no traffic has been imported; import visitors with leadflow import traffic FILE";
    default:
        return "no customer in the store has an amount; import the won events with their "
               "amounts with leadflow import events FILE";
    }
}

/* "COLS: missing (not 0): WHY" for rule r into buf. */
static void rule_note(const struct rule *r, char *buf, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; r->cols[i] && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", r->cols[i]);
    if (k < size)
        snprintf(buf + k, size - k, ": missing (not 0): %s", why(r->input));
}

static int col_index(const lf_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return (int)c;
    return -1;
}

static void set_null(lf_cell *c)
{
    if (c && c->kind == LF_CELL_NUM) {
        c->kind = LF_CELL_NULL;
        c->num = 0;
    }
}

lf_status lf_report_mark_missing(const lf_dataset *ds, lf_table *t)
{
    if (!t || !t->report)
        return LF_OK;
    unsigned have = LF_INPUT_ALL;
    bool known = false;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const struct rule *r = &rules[i];
        if (strcmp(r->report, t->report) != 0)
            continue;
        if (!known) {
            have = lf_report_inputs(ds);
            known = true;
        }
        if (have & r->input)
            continue;
        for (size_t k = 0; r->cols[k]; k++) {
            int c = col_index(t, r->cols[k]);
            if (c < 0)
                continue;
            for (size_t row = 0; row < t->nrows; row++)
                set_null(&t->cells[row * t->ncols + (size_t)c]);
            if (t->has_total && t->total)
                set_null(&t->total[c]);
        }
        char note[LF_NOTE_LEN];
        rule_note(r, note, sizeof note);
        if (lf_table_add_note(t, "%s", note) != LF_OK)
            return LF_ENOMEM;
    }
    return LF_OK;
}

/* ---- run notes ------------------------------------------------------------------------ */

/* Appends a note, cut to LF_NOTE_LEN - 1 bytes (the notes are built to fit). */
static void add(lf_report_notes *out, const char *text)
{
    if (out->n >= LF_NOTES_MAX)
        return;
    size_t n = strnlen(text, LF_NOTE_LEN - 1);
    memcpy(out->text[out->n], text, n);
    out->text[out->n++][n] = '\0';
}

/* The first day of the month containing local day d, moved by `months`. */
static int32_t month_start(int32_t d, int months)
{
    int y, m, day;
    lf_civil_from_days(d, &y, &m, &day);
    long idx = (long)y * 12 + (m - 1) + months;
    int ny = (int)(idx >= 0 ? idx / 12 : (idx - 11) / 12);
    return lf_days_from_civil(ny, (int)(idx - (long)ny * 12) + 1, 1);
}

static void range_note(const lf_report_args *a, lf_report_notes *out)
{
    const lf_dataset *ds = a->ds;
    if (!ds->nleads) {
        add(out, "the store holds no leads: import leads first");
        return;
    }
    rep_ctx c;
    lf_error err;
    if (rep_begin(&c, a, &err) != LF_OK)
        return; /* no buckets, no note: the report itself says why */
    bool any = false;
    lf_time first = LF_TIME_NONE, last = LF_TIME_NONE;
    for (size_t i = 0; i < ds->nleads; i++) {
        lf_time t = ds->leads[i].created_at;
        any = any || rep_bucket(&c, t) >= 0;
        if (first == LF_TIME_NONE || t < first)
            first = t;
        if (last == LF_TIME_NONE || t > last)
            last = t;
    }
    /* later stage moves (wins included), decisions and contacts are data too */
    for (size_t i = 0; i < ds->ntrans; i++) {
        lf_time t = ds->trans[i].ts;
        any = any || rep_bucket(&c, t) >= 0;
        if (t > last)
            last = t;
    }
    for (size_t i = 0; i < ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &ds->handoffs[i];
        lf_time ts[3] = {h->mql_at, h->decided_at, h->first_contact_at};
        for (int k = 0; k < 3; k++) {
            any = any || rep_bucket(&c, ts[k]) >= 0;
            if (ts[k] != LF_TIME_NONE && ts[k] > last)
                last = ts[k];
        }
    }
    const lf_tz *tz = c.tz;
    rep_end(&c);
    if (any)
        return;
    int32_t d0 = lf_local_day(tz, first), d1 = lf_local_day(tz, last);
    int32_t as_of_day = month_start(d1, 1), from_day = month_start(d0, 0);
    int32_t def_from, def_to;
    lf_default_range(tz, lf_day_start(tz, as_of_day), &def_from, &def_to);
    char f[16], t[16], s0[16], s1[16], sa[16], sf[16], line[LF_NOTE_LEN];
    lf_date_format(a->from_day, f, sizeof f);
    lf_date_format(a->to_day, t, sizeof t);
    lf_date_format(d0, s0, sizeof s0);
    lf_date_format(d1, s1, sizeof s1);
    lf_date_format(as_of_day, sa, sizeof sa);
    lf_date_format(from_day, sf, sizeof sf);
    snprintf(line, sizeof line,
             "no leads in %s \xe2\x80\x93 %s; the store holds %s \xe2\x80\x93 %s: try --as-of %s%s%s",
             f, t, s0, s1, sa, from_day < def_from ? " --from " : "",
             from_day < def_from ? sf : "");
    add(out, line);
}

void lf_report_notes_make(const lf_report_args *a, const char *report, unsigned what,
                          lf_report_notes *out)
{
    out->n = 0;
    if (!a || !a->ds)
        return;
    if (what & LF_NOTES_RANGE)
        range_note(a, out);
    if (!(what & LF_NOTES_INPUTS))
        return;
    bool all = report && strcmp(report, "all") == 0;
    unsigned have = lf_report_inputs(a->ds);
    size_t n;
    const lf_report_def *defs = lf_report_list(&n);
    for (size_t d = 0; d < n; d++) {
        if (!all && (!report || strcmp(report, defs[d].name) != 0))
            continue;
        for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
            if (strcmp(rules[i].report, defs[d].name) != 0 || (have & rules[i].input))
                continue;
            char note[LF_NOTE_LEN], line[LF_NOTE_LEN + 32];
            rule_note(&rules[i], note, sizeof note);
            snprintf(line, sizeof line, "%s: %s", defs[d].name, note);
            add(out, line);
        }
    }
}
