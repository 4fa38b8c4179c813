/*
 * bands.c — the `scoring` report (SPEC §5): handoffs opened in the range grouped by
 * the total score at mql_at, in bands of scoring.band_width — the evidence for where
 * the MQL threshold should sit.
 *
 * A score s falls in band k = floor(s / width), labelled "lo-hi" with lo = k x width
 * and hi = lo + width - 1 for whole widths ("30-39", "-10--1"); a fractional width
 * is labelled with its half-open bounds ("2.5-5" holds 2.5 <= s < 5). Per band:
 * handoffs (opened in the range, not after as-of), accepted (of those, accepted by
 * as-of), acceptance_rate = accepted / (accepted + rejected by as-of), customers
 * (accepted handoffs whose lead is a customer by as-of), win_rate = customers /
 * handoffs. Rows run from the lowest band met to the highest, the empty bands
 * between them included so the bands read as a scale; the total covers the range.
 * A handoff opened by an imported `mql` event without scoring has score 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/scoring.h"
#include "report/report_util.h"

enum { S_BAND, S_HANDOFFS, S_ACCEPTED, S_ACC_RATE, S_CUSTOMERS, S_WIN_RATE, S_N };

const lf_col_spec rep_cols_scoring[S_N + 1] = {
    {"band", LF_COL_TEXT,
     "Band of the lead's total score (fit + engagement) when the handoff opened, "
     "scoring.band_width wide: 30-39 holds 30 <= score < 40."},
    {"handoffs", LF_COL_COUNT,
     "Cohort by mql_at: handoffs opened in the range whose score at mql_at falls in the band, "
     "followed up to as-of."},
    {"accepted", LF_COL_COUNT, "Cohort by mql_at: of those handoffs, accepted by sales by as-of."},
    {"acceptance_rate", LF_COL_RATE, REP_DEF_ACCEPTANCE},
    {"customers", LF_COL_COUNT,
     "Cohort by mql_at: accepted handoffs whose lead is a customer by as-of."},
    {"win_rate", LF_COL_RATE, "customers / handoffs (cohort by mql_at)."},
    {NULL, 0, NULL},
};

typedef struct band_acc {
    int64_t handoffs, accepted, rejected, customers;
} band_acc;

/* Bands further apart than this are not listed one by one (a score of 1e9 next to
 * one of 0 would otherwise make a billion rows): only bands with handoffs are. */
#define MAX_SPAN 1000

static void band_label(double width, int64_t k, char *buf, size_t size)
{
    double lo = (double)k * width;
    if (width == floor(width) && fabs(lo) < 1e15)
        snprintf(buf, size, "%lld-%lld", (long long)lo, (long long)(lo + width - 1));
    else
        snprintf(buf, size, "%g-%g", lo, lo + width);
}

static void set_row(lf_table *t, long row, const band_acc *a)
{
    lf_cell_set_num(lf_table_cell(t, row, S_HANDOFFS), (double)a->handoffs);
    lf_cell_set_num(lf_table_cell(t, row, S_ACCEPTED), (double)a->accepted);
    lf_cell_set_ratio(lf_table_cell(t, row, S_ACC_RATE), (double)a->accepted,
                      (double)(a->accepted + a->rejected));
    lf_cell_set_num(lf_table_cell(t, row, S_CUSTOMERS), (double)a->customers);
    lf_cell_set_ratio(lf_table_cell(t, row, S_WIN_RATE), (double)a->customers,
                      (double)a->handoffs);
}

typedef struct band_item {
    int64_t k;
    uint8_t accepted, rejected, customer;
} band_item;

static int by_band(const void *a, const void *b)
{
    int64_t x = ((const band_item *)a)->k, y = ((const band_item *)b)->k;
    return (x > y) - (x < y);
}

static lf_status add_band(lf_table *t, double width, int64_t k, const band_acc *a)
{
    char label[64];
    band_label(width, k, label, sizeof label);
    long row = lf_table_add_row(t);
    if (row < 0 || lf_cell_set_text(lf_table_cell(t, row, S_BAND), label) != LF_OK)
        return LF_ENOMEM;
    set_row(t, row, a);
    return LF_OK;
}

lf_status lf_report_scoring(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    rep_ctx c;
    lf_status s = rep_begin(&c, a, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = c.ds;
    double width = c.cfg->scoring.band_width > 0 ? c.cfg->scoring.band_width : 10;
    band_item *items = malloc((ds->nhandoffs ? ds->nhandoffs : 1) * sizeof *items);
    size_t n = 0;
    lf_table *t = NULL;
    if (!items)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    for (size_t i = 0; s == LF_OK && i < ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &ds->handoffs[i];
        if (rep_bucket(&c, h->mql_at) < 0)
            continue;
        /* the same tolerance as the MQL thresholds: a total that is 70 in exact
         * arithmetic but 69.999... after decay is in 70-79 */
        double q = floor((h->score + LF_SCORE_EPSILON * fmax(1, fabs(h->score))) / width);
        band_item it = {.k = q < -1e15 ? (int64_t)-1e15 : q > 1e15 ? (int64_t)1e15 : (int64_t)q};
        bool decided = rep_by_as_of(&c, h->decided_at);
        it.accepted = decided && h->outcome == LF_OUTCOME_ACCEPTED;
        it.rejected = decided && h->outcome == LF_OUTCOME_REJECTED;
        it.customer = it.accepted && h->lead < ds->nleads &&
                      rep_by_as_of(&c, ds->leads[h->lead].won_at);
        items[n++] = it;
    }
    if (s == LF_OK)
        s = rep_table(&c, "scoring", false, rep_cols_scoring, S_N, &t, err);
    if (s == LF_OK) {
        qsort(items, n, sizeof *items, by_band);
        band_acc tot = {0, 0, 0, 0};
        bool fill = n > 0 && items[n - 1].k - items[0].k <= MAX_SPAN;
        int64_t next = n ? items[0].k : 0; /* the next band to list when filling gaps */
        for (size_t i = 0; s == LF_OK && i < n;) {
            int64_t k = items[i].k;
            band_acc acc = {0, 0, 0, 0};
            for (; i < n && items[i].k == k; i++) {
                acc.handoffs++;
                acc.accepted += items[i].accepted;
                acc.rejected += items[i].rejected;
                acc.customers += items[i].customer;
            }
            for (; fill && s == LF_OK && next < k; next++) {
                band_acc none = {0, 0, 0, 0};
                s = add_band(t, width, next, &none);
            }
            if (s == LF_OK)
                s = add_band(t, width, k, &acc);
            next = k + 1;
            tot.handoffs += acc.handoffs;
            tot.accepted += acc.accepted;
            tot.rejected += acc.rejected;
            tot.customers += acc.customers;
        }
        if (s == LF_OK && (lf_table_add_total(t) != LF_OK ||
                           lf_cell_set_text(lf_table_cell(t, -1, S_BAND), "total") != LF_OK))
            s = LF_ENOMEM;
        if (s == LF_OK) {
            set_row(t, -1, &tot);
            char w[32];
            snprintf(w, sizeof w, "%g", width);
            if (lf_table_add_note(t, "bands of %s points of the total score (fit + engagement) "
                                     "at mql_at; customers: accepted handoffs whose lead is a "
                                     "customer by as-of",
                                  w) != LF_OK)
                s = LF_ENOMEM;
        }
        if (s == LF_ENOMEM)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    free(items);
    rep_end(&c);
    return rep_finish(s, t, out);
}
