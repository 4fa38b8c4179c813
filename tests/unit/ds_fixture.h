/*
 * ds_fixture.h — the hand-built dataset fixture shared by the report unit tests
 * (test_reports.c, test_money.c, test_contribution.c).
 *
 * Each unit test is its own executable (see CMakeLists.txt), so this header owns the
 * fixture state of the one test that includes it: the configuration `cfg` (zone
 * Europe/Berlin), the dataset `ds` with CAP rows per array (a test may define CAP
 * before including this), and `berlin`, the zone the wall times B() are read in.
 *
 * Building: ds_lead() starts a lead (and its creation transition), go() appends a
 * transition from the current lead's stage, ds_handoff() appends a handoff of the
 * current lead; so each lead's transitions and handoffs are contiguous, as the store
 * loads them. amount() and amount_on() append spend or traffic rows. Each test keeps
 * its own lead()/ho()/won() wrappers with the arguments its datasets need.
 *
 * Reading: run() runs a report over the fixture; num(), null() and text() assert one
 * cell of the table it returns (row -1 = total).
 */
#ifndef LF_TEST_DS_FIXTURE_H
#define LF_TEST_DS_FIXTURE_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/report.h"

#ifndef CAP
#define CAP 256
#endif
#define NONE LF_TIME_NONE
#define EPS 1e-9

static lf_config cfg;
static lf_dataset ds;
static lf_tz *berlin;

/* ---- setting up ------------------------------------------------------------------------ */

/* Default configuration in Europe/Berlin with the default calendar (Mon-Fri
 * 09:00-17:00); with holidays, 2026-01-01, 2026-04-03 (Good Friday) and 2026-12-25
 * are holidays. cfg owns berlin. */
static inline void ds_setup_config(bool holidays)
{
    lf_error err;
    cr_assert_eq(lf_config_defaults(&cfg, &err), LF_OK);
    cr_assert_eq(lf_tz_load(&berlin, "Europe/Berlin", &err), LF_OK, "%s", err.msg);
    free(cfg.timezone);
    cfg.timezone = strdup("Europe/Berlin");
    lf_tz_free(cfg.tz); /* the default zone (UTC) */
    cfg.tz = berlin;
    lf_calendar_default(&cfg.calendar, berlin);
    if (!holidays)
        return;
    cfg.calendar.holidays = malloc(3 * sizeof *cfg.calendar.holidays);
    cfg.calendar.holidays[0] = lf_days_from_civil(2026, 1, 1);
    cfg.calendar.holidays[1] = lf_days_from_civil(2026, 4, 3);
    cfg.calendar.holidays[2] = lf_days_from_civil(2026, 12, 25);
    cfg.calendar.nholidays = 3;
}

/* An empty dataset with room for CAP leads, transitions and handoffs, and with
 * amounts, CAP costs and traffic rows. ds owns the arrays. */
static inline void ds_setup_dataset(bool amounts)
{
    lf_dataset_init(&ds);
    ds.leads = calloc(CAP, sizeof *ds.leads);
    ds.trans = calloc(CAP, sizeof *ds.trans);
    ds.handoffs = calloc(CAP, sizeof *ds.handoffs);
    if (!amounts)
        return;
    ds.costs = calloc(CAP, sizeof *ds.costs);
    ds.traffic = calloc(CAP, sizeof *ds.traffic);
}

static inline void ds_teardown(void)
{
    lf_dataset_release(&ds);
    lf_config_release(&cfg); /* frees berlin */
}

/* ---- building datasets ----------------------------------------------------------------- */

/* Berlin wall time. */
static inline lf_time B(int y, int mo, int d, int h, int mi)
{
    lf_civil c = {.year = y, .month = mo, .day = d, .hour = h, .min = mi};
    return lf_time_from_local(berlin, &c);
}

static inline int32_t D(int y, int m, int d)
{
    return lf_days_from_civil(y, m, d);
}

/* The id of name s in ds (interned on first use; "" is id 0). */
static inline uint32_t name(const char *s)
{
    uint32_t id = lf_dataset_intern(&ds, s, strlen(s));
    cr_assert_neq(id, UINT32_MAX);
    return id;
}

/* Starts a lead created at `created` with its creation transition; persona and
 * channel are name ids, origin 0 marketing, 1 sales. */
static inline void ds_lead(lf_time created, uint32_t persona, uint32_t channel, int origin)
{
    cr_assert_lt(ds.nleads, CAP);
    lf_ds_lead *l = &ds.leads[ds.nleads++];
    memset(l, 0, sizeof *l);
    l->created_at = created;
    l->won_at = NONE;
    l->persona = persona;
    l->channel = channel;
    l->origin = (uint8_t)origin;
    l->trans = (uint32_t)ds.ntrans;
    l->handoffs = (uint32_t)ds.nhandoffs;
    cr_assert_lt(ds.ntrans, CAP);
    ds.trans[ds.ntrans++] =
        (lf_ds_transition){created, (uint32_t)(ds.nleads - 1), LF_STAGE_NONE, LF_STAGE_LEAD};
    l->ntrans = 1;
    l->stage = LF_STAGE_LEAD;
}

/* The current lead moves to `to` at ts (won at ts when `to` is customer). */
static inline void go(lf_time ts, lf_stage to)
{
    lf_ds_lead *l = &ds.leads[ds.nleads - 1];
    cr_assert_lt(ds.ntrans, CAP);
    ds.trans[ds.ntrans++] = (lf_ds_transition){ts, (uint32_t)(ds.nleads - 1), l->stage, to};
    l->ntrans++;
    l->stage = to;
    if (to == LF_STAGE_CUSTOMER)
        l->won_at = ts;
}

/* A handoff of the current lead; reason is a name id. */
static inline void ds_handoff(lf_time mql_at, lf_time decided_at, lf_outcome outcome,
                              lf_time first_contact, uint32_t reason)
{
    lf_ds_lead *l = &ds.leads[ds.nleads - 1];
    cr_assert_lt(ds.nhandoffs, CAP);
    ds.handoffs[ds.nhandoffs++] = (lf_ds_handoff){
        .mql_at = mql_at,
        .decided_at = decided_at,
        .first_contact_at = first_contact,
        .lead = (uint32_t)(ds.nleads - 1),
        .reason = reason,
        .outcome = (uint8_t)outcome,
    };
    l->nhandoffs++;
}

/* A spend or traffic row over local days [from, to), appended to rows (*n of CAP). */
static inline void amount(lf_ds_amount *rows, size_t *n, int32_t from, int32_t to,
                          const char *channel, double v)
{
    cr_assert_lt(*n, CAP);
    rows[(*n)++] = (lf_ds_amount){from, to, name(channel), v};
}

/* A spend or traffic row over the month y-m (d = 0) or the day y-m-d. */
static inline void amount_on(lf_ds_amount *rows, size_t *n, int y, int m, int d,
                             const char *channel, double v)
{
    int32_t from = D(y, m, d ? d : 1);
    int32_t to = d ? from + 1 : from + lf_days_in_month(y, m);
    amount(rows, n, from, to, channel, v);
}

/* ---- reading tables -------------------------------------------------------------------- */

/* The table of report fn over [from, to) by `by` as of as_of; the caller frees it. */
static inline lf_table *run(lf_report_fn fn, int32_t from, int32_t to, lf_by by, lf_time as_of)
{
    lf_report_args a = {
        .cfg = &cfg, .ds = &ds, .from_day = from, .to_day = to, .by = by, .as_of = as_of};
    lf_table *t = NULL;
    lf_error err;
    lf_error_clear(&err);
    cr_assert_eq(fn(&a, &t, &err), LF_OK, "report: %s", err.msg);
    cr_assert_not_null(t);
    return t;
}

static inline int col(const lf_table *t, const char *n)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, n) == 0)
            return (int)i;
    cr_assert_fail("no column '%s'", n);
    return -1;
}

/* Cell (row, column name); row -1 = total. */
static inline lf_cell *cell(lf_table *t, long row, const char *n)
{
    lf_cell *c = lf_table_cell(t, row, col(t, n));
    cr_assert_not_null(c);
    return c;
}

static inline void num(lf_table *t, long row, const char *n, double want)
{
    lf_cell *c = cell(t, row, n);
    cr_assert_eq(c->kind, LF_CELL_NUM, "row %ld %s: not a number", row, n);
    cr_assert(fabs(c->num - want) < EPS, "row %ld %s: %.12g, want %.12g", row, n, c->num, want);
}

static inline void null(lf_table *t, long row, const char *n)
{
    lf_cell *c = cell(t, row, n);
    cr_assert_eq(c->kind, LF_CELL_NULL, "row %ld %s: not null (%g)", row, n, c->num);
}

static inline void text(lf_table *t, long row, const char *n, const char *want)
{
    lf_cell *c = cell(t, row, n);
    cr_assert_eq(c->kind, LF_CELL_TEXT, "row %ld %s: not text", row, n);
    cr_assert_str_eq(c->text, want);
}

/* The table's columns are exactly names[0..n), in order. */
static inline void columns(const lf_table *t, const char *const *names, size_t n)
{
    cr_assert_eq(t->ncols, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(t->cols[i].name, names[i]);
}

/* Whether a note of the table contains part. */
static inline bool has_note(const lf_table *t, const char *part)
{
    for (size_t i = 0; i < t->nnotes; i++)
        if (strstr(t->notes[i], part))
            return true;
    return false;
}

#endif
