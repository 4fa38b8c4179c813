/*
 * bizday.c — the `bizday` report (SPEC §5): leads and MQLs per business day, month
 * over month, and pacing for the month that contains as-of.
 *
 * Rows are calendar months whatever --by says (the first and last cut to the range),
 * so the table's `by` is "month"; with another --by a note says it does not apply. Per row (flow, "in the range" of SPEC §5):
 *   leads = leads created; business_days = business days of the (cut) month inside
 *   the range (lf_calendar_business_days); leads_per_bday = leads / business_days;
 *   change = leads_per_bday / the previous month's leads_per_bday - 1, null when
 *   either is null or the previous is 0. For the first row the previous month lies
 *   before the range: it is read from the dataset as the whole calendar month before
 *   the first row's month (SPEC: change-style columns read the bucket before the range
 *   from the store), with the same as-of rule; mqls = handoffs opened; mqls_per_bday.
 *
 * pacing (an object) only in the row of the month that contains the as-of local date,
 * null elsewhere and in the total. It is about the whole calendar month, even when
 * the range cuts that month's row: goal = lf_config_goal for the month (null if none);
 * mtd = handoffs opened from the 1st (00:00 local) up to and including as-of;
 * bdays_elapsed = business days from the 1st up to and including the as-of date;
 * bdays_left = business days of the month after the as-of date; projected = mtd /
 * bdays_elapsed x (bdays_elapsed + bdays_left), null when bdays_elapsed = 0;
 * required_per_bday = (goal - mtd) / bdays_left, null without a goal or when
 * bdays_left = 0 (negative when the goal is already passed). A note says it in words.
 *
 * The total row: sums of leads, business_days and mqls, ratios recomputed; change and
 * pacing null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_util.h"

enum { B_PERIOD, B_LEADS, B_BDAYS, B_LPB, B_CHANGE, B_MQLS, B_MPB, B_PACING, B_N };

const lf_col_spec rep_cols_bizday[B_N + 1] = {
    {"period", LF_COL_TEXT,
     "Calendar month, whatever --by says; the first and last cut to the range; total covers "
     "the whole range."},
    {"leads", LF_COL_COUNT, "Flow: leads created in the month."},
    {"business_days", LF_COL_COUNT,
     "Business days of the month inside the range: workdays of the business calendar that are "
     "not holidays."},
    {"leads_per_bday", LF_COL_NUMBER, "leads / business_days."},
    {"change", LF_COL_RATE,
     "leads_per_bday / the previous month's leads_per_bday - 1; the first row reads the month "
     "before the range; empty in the total."},
    {"mqls", LF_COL_COUNT, "Flow: MQLs (handoffs opened, mql_at) in the month."},
    {"mqls_per_bday", LF_COL_NUMBER, "mqls / business_days."},
    {"pacing", LF_COL_OBJECT,
     "As-of month only: goal, mtd (MQLs so far), bdays_elapsed (with the as-of date), "
     "bdays_left, projected = mtd / bdays_elapsed x the month's business days, "
     "required_per_bday = (goal - mtd) / bdays_left."},
    {NULL, 0, NULL},
};

typedef struct biz_row {
    int64_t leads, mqls;
    int32_t bdays;
} biz_row;

typedef struct pacing {
    bool has_goal;
    double goal;
    int64_t mtd;
    int32_t elapsed, left;
    int year, month;
} pacing;

/* The pacing numbers but mtd (the caller counts it in its pass over the handoffs),
 * its row and *ms = the first day of as-of's month; false when as-of's month has no
 * row in the range (no pacing then). */
static bool pacing_month(const rep_ctx *c, long *row, pacing *p, int32_t *ms)
{
    if (c->as_of == LF_TIME_NONE)
        return false;
    int32_t today = lf_local_day(c->tz, c->as_of);
    const int32_t *day = c->per.day;
    if (today < day[0] || today >= day[c->per.n])
        return false;
    long b = lf_periods_find(&c->per, c->as_of);
    if (b < 0) /* as-of itself is past the range end on the day the range ends */
        return false;
    int y, m, d;
    lf_civil_from_days(today, &y, &m, &d);
    *ms = lf_days_from_civil(y, m, 1);
    int32_t me = *ms + lf_days_in_month(y, m);
    *row = b;
    memset(p, 0, sizeof *p);
    p->year = y;
    p->month = m;
    p->has_goal = lf_config_goal(c->cfg, y, m, &p->goal);
    p->elapsed = lf_calendar_business_days(&c->cfg->calendar, *ms, today + 1);
    p->left = lf_calendar_business_days(&c->cfg->calendar, today + 1, me);
    return true;
}

/* Up to two decimals, trailing zeros cut: "412", "3.33", "0.5". */
static void fmt_num(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (!dot)
        return;
    char *e = buf + strlen(buf);
    while (e > dot + 1 && e[-1] == '0')
        *--e = '\0';
    if (e == dot + 1)
        *dot = '\0';
    if (strcmp(buf, "-0") == 0)
        memcpy(buf, "0", 2);
}

static lf_status fill_pacing(lf_table *t, long row, const pacing *p)
{
    int32_t total = p->elapsed + p->left;
    lf_object *o = lf_cell_set_object(lf_table_cell(t, row, B_PACING));
    if (!o)
        return LF_ENOMEM;
    lf_status s = p->has_goal ? lf_object_append_num(o, "goal", LF_COL_NUMBER, p->goal)
                              : lf_object_add_null(o, "goal", LF_COL_NUMBER);
    if (s == LF_OK)
        s = lf_object_append_num(o, "mtd", LF_COL_COUNT, (double)p->mtd);
    if (s == LF_OK)
        s = lf_object_append_num(o, "bdays_elapsed", LF_COL_COUNT, (double)p->elapsed);
    if (s == LF_OK)
        s = lf_object_append_num(o, "bdays_left", LF_COL_COUNT, (double)p->left);
    /* mtd / elapsed x total as one division of exact integers (correctly rounded) */
    double projected = p->elapsed ? (double)(p->mtd * total) / (double)p->elapsed : 0;
    if (s == LF_OK)
        s = p->elapsed ? lf_object_append_num(o, "projected", LF_COL_NUMBER, projected)
                       : lf_object_add_null(o, "projected", LF_COL_NUMBER);
    if (s == LF_OK)
        s = p->has_goal && p->left
                ? lf_object_append_num(o, "required_per_bday", LF_COL_NUMBER,
                                       (p->goal - (double)p->mtd) / p->left)
                : lf_object_add_null(o, "required_per_bday", LF_COL_NUMBER);
    if (s != LF_OK)
        return s;

    /* the same in words */
    char label[16], mtd[32], proj[32], goal[32], req[32];
    lf_period_label(LF_BY_MONTH, lf_days_from_civil(p->year, p->month, 1), label, sizeof label);
    fmt_num((double)p->mtd, mtd, sizeof mtd);
    fmt_num(projected, proj, sizeof proj);
    fmt_num(p->goal, goal, sizeof goal);
    s = lf_table_add_note(t, "pacing %s: %s MQL%s so far, %d of %d business days elapsed",
                          label, mtd, p->mtd == 1 ? "" : "s", (int)p->elapsed, (int)total);
    if (s != LF_OK)
        return s;
    if (!p->elapsed)
        return lf_table_add_note(t, "no business day has begun yet: nothing to project");
    if (!p->has_goal)
        return lf_table_add_note(t, "projected %s (no goal set)", proj);
    const char *pace = projected >= p->goal ? "on pace" : "behind pace";
    if (!p->left || (double)p->mtd >= p->goal)
        return lf_table_add_note(t, "%s: projected %s vs goal %s%s", pace, proj, goal,
                                 (double)p->mtd >= p->goal ? " (goal reached)" : "");
    fmt_num((p->goal - (double)p->mtd) / p->left, req, sizeof req);
    return lf_table_add_note(t, "%s: projected %s vs goal %s; %s per business day needed in "
                                "the %d left",
                             pace, proj, goal, req, (int)p->left);
}

static void set_counts(lf_table *t, long row, const biz_row *r)
{
    lf_cell_set_num(lf_table_cell(t, row, B_LEADS), (double)r->leads);
    lf_cell_set_num(lf_table_cell(t, row, B_BDAYS), (double)r->bdays);
    lf_cell_set_ratio(lf_table_cell(t, row, B_LPB), (double)r->leads, (double)r->bdays);
    lf_cell_set_num(lf_table_cell(t, row, B_MQLS), (double)r->mqls);
    lf_cell_set_ratio(lf_table_cell(t, row, B_MPB), (double)r->mqls, (double)r->bdays);
}

/* change = cur / prev - 1 where both are per-business-day rates; null when either
 * has no business day or prev is 0. Computed as the one fraction
 * (cur x prev_bd - prev x cur_bd) / (prev x cur_bd) of exact integers, so the cell is
 * the correctly rounded value (0.4, not 0.40000000000000013 from dividing rounded
 * rates and subtracting 1). */
static void set_change(lf_cell *cell, int64_t cur, int32_t cur_bd, int64_t prev, int32_t prev_bd)
{
    if (cur_bd <= 0 || prev_bd <= 0 || prev == 0)
        return;
    int64_t num = cur * prev_bd - prev * cur_bd, den = prev * cur_bd;
    lf_cell_set_num(cell, (double)num / (double)den);
}

lf_status lf_report_bizday(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    lf_report_args months = *a;
    months.by = LF_BY_MONTH;
    rep_ctx c;
    lf_status s = rep_begin(&c, &months, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = c.ds;
    size_t nb = c.per.n;
    biz_row *r = calloc(nb, sizeof *r);
    lf_table *t = NULL;
    if (!r)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");

    /* the whole calendar month before the first row (read from the dataset for the
     * first row's change), and the month of as-of (pacing): their instants, so the
     * same passes over leads and handoffs that fill the rows count them too */
    int y, m, d;
    lf_civil_from_days(c.per.day[0], &y, &m, &d);
    int32_t first = lf_days_from_civil(y, m, 1);
    if (--m < 1) {
        m = 12;
        y--;
    }
    int32_t pstart = lf_days_from_civil(y, m, 1);
    lf_time prev_t0 = lf_day_start(c.tz, pstart), prev_t1 = lf_day_start(c.tz, first);
    long pace_row = -1;
    pacing p = {0};
    int32_t ms = 0;
    bool pace = pacing_month(&c, &pace_row, &p, &ms);
    lf_time pace_t0 = pace ? lf_day_start(c.tz, ms) : LF_TIME_NONE;

    int64_t prev = 0; /* leads created in the month before the first row, by as-of */
    for (size_t i = 0; s == LF_OK && i < ds->nleads; i++) {
        lf_time t0 = ds->leads[i].created_at;
        long b = rep_bucket(&c, t0);
        if (b >= 0)
            r[b].leads++;
        if (t0 >= prev_t0 && t0 < prev_t1 && t0 <= c.as_of)
            prev++;
    }
    for (size_t i = 0; s == LF_OK && i < ds->nhandoffs; i++) {
        lf_time t0 = ds->handoffs[i].mql_at;
        long b = rep_bucket(&c, t0);
        if (b >= 0)
            r[b].mqls++;
        /* mtd: opened from the 1st of as-of's month (whole month, even when the range
         * cuts it) up to and including as-of */
        if (pace && t0 >= pace_t0 && t0 <= c.as_of)
            p.mtd++;
    }
    if (s == LF_OK)
        s = rep_table(&c, "bizday", true, rep_cols_bizday, B_N, &t, err);
    if (s == LF_OK) {
        int32_t prev_bd = lf_calendar_business_days(&c.cfg->calendar, pstart, first);
        biz_row tot = {0, 0, 0};
        for (size_t b = 0; b < nb; b++) {
            r[b].bdays = lf_calendar_business_days(&c.cfg->calendar, c.per.day[b], c.per.day[b + 1]);
            set_counts(t, (long)b, &r[b]);
            set_change(lf_table_cell(t, (long)b, B_CHANGE), r[b].leads, r[b].bdays, prev, prev_bd);
            prev = r[b].leads;
            prev_bd = r[b].bdays;
            tot.leads += r[b].leads;
            tot.mqls += r[b].mqls;
            tot.bdays += r[b].bdays;
        }
        set_counts(t, -1, &tot);
        if (pace && fill_pacing(t, pace_row, &p) != LF_OK)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (s == LF_OK && a->by != LF_BY_MONTH &&
        lf_table_add_note(t, "bizday rows are calendar months (--by %s does not apply)",
                          lf_by_name(a->by)) != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    free(r);
    rep_end(&c);
    return rep_finish(s, t, out);
}
