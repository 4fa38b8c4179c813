/*
 * test_contribution.c — the persona, channel and customers reports
 * (src/report/contribution.c) against SPEC §5, on a dataset built by hand.
 *
 * Zone Europe/Berlin (CET = UTC+1; CEST = UTC+2 from Sunday 2026-03-29).
 * Timestamps are Berlin wall times (B(y, m, d, h, min)). Every expected number is
 * derived by hand in the comment next to it.
 *
 * The dataset (lead by lead; lead() starts a lead and its creation transition, go()
 * appends a transition, won() the move to customer with its amount, ho() a handoff):
 *   A Ops Olga, paid, marketing: created 2026-01-15 (before the range), mql 01-20,
 *     accepted 02-01 (sql, before the range), won 03-05 10:00 for 1,000 (opportunity
 *     and customer at that instant): a customer of the range, not of its cohort.
 *   B Ops Olga, paid, marketing: created 03-02 09:00, mql 03-03 10:00, accepted
 *     03-04 10:00 (sql), won 04-02 10:00 for 3,000.
 *   C Dev Dan, paid: created 03-10 09:00, mql 03-11 10:00, rejected 03-12 10:00
 *     (recycled), mql again 04-01 10:00, accepted 04-15 10:00 (after as-of: pending;
 *     the sql entry does not exist yet).
 *   D persona "none", outbound, origin sales: created 04-01 09:00, accepted 04-02
 *     10:00 (skip lead -> sql, no handoff), won 04-08 10:00 for 5,000.
 *   E persona id 0 (shown "none", merged with D's row), events: created 04-05
 *     09:00, mql 04-06 10:00, pending.
 *   F Dev Dan, events: created 04-09 09:00, won 04-11 10:00 for 700 (after as-of).
 *   G Ops Olga, channel late: created 04-20 (after as-of: does not exist).
 *   H Dev Dan, webinar: created 2025-12-01; nothing else (makes `webinar` a channel
 *     with a lead, though none in the range).
 *
 * Spend (costs):
 *   paid 2026-02 2,800 (before the range); paid 2026-03 3,100 (100/day); paid 2026-04
 *   3,000 (100/day); paid day 04-10 50; paid day 04-11 70; all 2026-03 310 (10/day);
 *   display day 03-15 200 (no lead has display); late 2026-04 600 (20/day; its only
 *   lead G exists only after as-of); webinar day 03-20 400.
 * Visitors (traffic):
 *   all 2026-03 620 (20/day); paid 2026-04 300 (10/day); events day 04-10 7;
 *   events day 04-11 9; all 2026-02 999 (before the range).
 *
 * Range [2026-03-01, 2026-05-01), as-of 2026-04-10 12:00 CEST unless a test says
 * otherwise: the days that began before as-of are ... 04-09 and 04-10 (it began at
 * 00:00 < 12:00), so 10 April days count; 04-11 does not.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP 128
#include "ds_fixture.h"
#include "leadflow/report.h"

static void setup(void)
{
    ds_setup_config(false);
    ds_setup_dataset(true);
}

TestSuite(contribution, .init = setup, .fini = ds_teardown);

/* Starts a lead; persona "" is name id 0. origin: 0 marketing, 1 sales. */
static void lead(lf_time created, const char *persona, const char *channel, int origin)
{
    uint32_t p = name(persona); /* interned before the channel */
    ds_lead(created, p, name(channel), origin);
}

/* The current lead is won at ts for revenue (entering every skipped path stage). */
static void won(lf_time ts, double revenue)
{
    lf_ds_lead *l = &ds.leads[ds.nleads - 1];
    if (l->stage != LF_STAGE_SQL && l->stage != LF_STAGE_OPPORTUNITY)
        go(ts, LF_STAGE_SQL);
    if (l->stage == LF_STAGE_SQL)
        go(ts, LF_STAGE_OPPORTUNITY);
    go(ts, LF_STAGE_CUSTOMER);
    l->won_at = ts;
    l->revenue = revenue;
}

static void ho(lf_time mql_at, lf_time decided_at, lf_outcome outcome)
{
    ds_handoff(mql_at, decided_at, outcome, NONE, 0);
}

static void month_cost(int y, int m, const char *ch, double v)
{
    amount_on(ds.costs, &ds.ncosts, y, m, 0, ch, v);
}

static void day_cost(int y, int m, int d, const char *ch, double v)
{
    amount_on(ds.costs, &ds.ncosts, y, m, d, ch, v);
}

static void month_visitors(int y, int m, const char *ch, double v)
{
    amount_on(ds.traffic, &ds.ntraffic, y, m, 0, ch, v);
}

static void day_visitors(int y, int m, int d, const char *ch, double v)
{
    amount_on(ds.traffic, &ds.ntraffic, y, m, d, ch, v);
}

static void data(void)
{
    lead(B(2026, 1, 15, 10, 0), "Ops Olga", "paid", 0); /* A */
    go(B(2026, 1, 20, 10, 0), LF_STAGE_MQL);
    go(B(2026, 2, 1, 10, 0), LF_STAGE_SQL);
    ho(B(2026, 1, 20, 10, 0), B(2026, 2, 1, 10, 0), LF_OUTCOME_ACCEPTED);
    won(B(2026, 3, 5, 10, 0), 1000);

    lead(B(2026, 3, 2, 9, 0), "Ops Olga", "paid", 0); /* B */
    go(B(2026, 3, 3, 10, 0), LF_STAGE_MQL);
    go(B(2026, 3, 4, 10, 0), LF_STAGE_SQL);
    ho(B(2026, 3, 3, 10, 0), B(2026, 3, 4, 10, 0), LF_OUTCOME_ACCEPTED);
    won(B(2026, 4, 2, 10, 0), 3000);

    lead(B(2026, 3, 10, 9, 0), "Dev Dan", "paid", 0); /* C */
    go(B(2026, 3, 11, 10, 0), LF_STAGE_MQL);
    go(B(2026, 3, 12, 10, 0), LF_STAGE_RECYCLED);
    go(B(2026, 4, 1, 10, 0), LF_STAGE_MQL);
    go(B(2026, 4, 15, 10, 0), LF_STAGE_SQL);
    ho(B(2026, 3, 11, 10, 0), B(2026, 3, 12, 10, 0), LF_OUTCOME_REJECTED);
    ho(B(2026, 4, 1, 10, 0), B(2026, 4, 15, 10, 0), LF_OUTCOME_ACCEPTED);

    lead(B(2026, 4, 1, 9, 0), "none", "outbound", 1); /* D */
    go(B(2026, 4, 2, 10, 0), LF_STAGE_SQL);
    won(B(2026, 4, 8, 10, 0), 5000);

    lead(B(2026, 4, 5, 9, 0), "", "events", 0); /* E */
    go(B(2026, 4, 6, 10, 0), LF_STAGE_MQL);
    ho(B(2026, 4, 6, 10, 0), NONE, LF_OUTCOME_PENDING);

    lead(B(2026, 4, 9, 9, 0), "Dev Dan", "events", 0); /* F */
    won(B(2026, 4, 11, 10, 0), 700);

    lead(B(2026, 4, 20, 9, 0), "Ops Olga", "late", 0); /* G */

    lead(B(2025, 12, 1, 9, 0), "Dev Dan", "webinar", 0); /* H */

    month_cost(2026, 2, "paid", 2800);
    month_cost(2026, 3, "paid", 3100);
    month_cost(2026, 4, "paid", 3000);
    day_cost(2026, 4, 10, "paid", 50);
    day_cost(2026, 4, 11, "paid", 70);
    month_cost(2026, 3, "all", 310);
    day_cost(2026, 3, 15, "display", 200);
    month_cost(2026, 4, "late", 600);
    day_cost(2026, 3, 20, "webinar", 400);

    month_visitors(2026, 3, "all", 620);
    month_visitors(2026, 4, "paid", 300);
    day_visitors(2026, 4, 10, "events", 7);
    day_visitors(2026, 4, 11, "events", 9);
    month_visitors(2026, 2, "all", 999);
}

#define FROM D(2026, 3, 1)
#define TO D(2026, 5, 1)
#define ASOF B(2026, 4, 10, 12, 0)

/* The funnel counts of one row: leads, mqls, accepted, rejected, sqls, customers. */
static void counts(lf_table *t, long row, double leads, double mqls, double acc, double rej,
                   double sqls, double customers)
{
    num(t, row, "leads", leads);
    num(t, row, "mqls", mqls);
    num(t, row, "accepted", acc);
    num(t, row, "rejected", rej);
    num(t, row, "sqls", sqls);
    num(t, row, "customers", customers);
}

/* ---- persona ----------------------------------------------------------------------- */

Test(contribution, persona)
{
    data();
    lf_table *t = run(lf_report_persona, FROM, TO, LF_BY_MONTH, ASOF);
    static const char *const cols[] = {"persona",  "leads",     "mqls",
                                       "accepted", "rejected",  "acceptance_rate",
                                       "sqls",     "customers", "lead_to_customer"};
    columns(t, cols, sizeof cols / sizeof *cols);
    /* sorted by name in byte order: "Dev Dan" < "Ops Olga" < "none" (lower case
     * after upper); D ("none") and E (id 0, shown "none") share one row */
    cr_assert_eq(t->nrows, 3);
    cr_assert(t->has_total);
    text(t, 0, "persona", "Dev Dan");
    text(t, 1, "persona", "Ops Olga");
    text(t, 2, "persona", "none");
    text(t, -1, "persona", "total");

    /* Dev Dan: leads C (03-10), F (04-09) = 2 (H was created in 2025); handoffs C#1
     * (03-11, rejected 03-12) and C#2 (04-01, decided 04-15 after as-of: pending) = 2;
     * accepted 0, rejected 1 -> acceptance 0/1 = 0; sqls 0 (C's sql is after as-of);
     * customers 0 (F is won after as-of); lead_to_customer 0/2 = 0 */
    counts(t, 0, 2, 2, 0, 1, 0, 0);
    num(t, 0, "acceptance_rate", 0);
    num(t, 0, "lead_to_customer", 0);

    /* Ops Olga: leads B = 1 (A before the range, G after as-of); mqls B = 1, accepted
     * 1 -> rate 1/1; sqls B (03-04) = 1 (A's was 02-01); customers A (03-05) and B
     * (04-02) = 2 (flow), but the cohort is B alone: lead_to_customer 1/1 = 1 */
    counts(t, 1, 1, 1, 1, 0, 1, 2);
    num(t, 1, "acceptance_rate", 1);
    num(t, 1, "lead_to_customer", 1);

    /* none: leads D, E = 2; mqls E = 1, pending -> acceptance null (0 decided);
     * sqls D (04-02 skip) = 1; customers D (04-08) = 1; lead_to_customer 1/2 */
    counts(t, 2, 2, 1, 0, 0, 1, 1);
    null(t, 2, "acceptance_rate");
    num(t, 2, "lead_to_customer", 0.5);

    /* total: leads 5, mqls 4, accepted 1, rejected 1 -> 0.5, sqls 2, customers 3,
     * lead_to_customer (B, D) 2/5 = 0.4 */
    counts(t, -1, 5, 4, 1, 1, 2, 3);
    num(t, -1, "acceptance_rate", 0.5);
    num(t, -1, "lead_to_customer", 0.4);
    /* 40% is above the 2-5% benchmark */
    cr_assert(has_note(t, "the total here, 40.0%, is above that range"));
    lf_table_free(t);
}

Test(contribution, persona_empty_range)
{
    data();
    /* June 2026, as-of July: nothing happens in it: no rows, a zero total */
    lf_table *t =
        run(lf_report_persona, D(2026, 6, 1), D(2026, 7, 1), LF_BY_MONTH, B(2026, 7, 1, 0, 0));
    cr_assert_eq(t->nrows, 0);
    counts(t, -1, 0, 0, 0, 0, 0, 0);
    null(t, -1, "acceptance_rate");
    null(t, -1, "lead_to_customer");
    cr_assert(has_note(t, "no lead was created in the range"));
    lf_table_free(t);
}

/* ---- segment (SPEC §9) ------------------------------------------------------------- */

/* Whether two number-or-null cells hold the same value. */
static bool same_cell(const lf_cell *a, const lf_cell *b)
{
    return a->kind == b->kind && (a->kind != LF_CELL_NUM || a->num == b->num);
}

/* The segment of every lead as the application layer fills it: here each lead's channel
 * name, so the rows are the channel report's funnel columns under persona's rules. */
Test(contribution, segment_by_channel_has_persona_columns)
{
    data();
    ds.segment = calloc(ds.nleads, sizeof *ds.segment);
    cr_assert_not_null(ds.segment);
    for (size_t i = 0; i < ds.nleads; i++)
        ds.segment[i] = ds.leads[i].channel;
    ds.segment_attr = strdup("channel");
    lf_table *t = run(lf_report_segment, FROM, TO, LF_BY_MONTH, ASOF);
    lf_table *c = run(lf_report_channel, FROM, TO, LF_BY_MONTH, ASOF);
    static const char *const cols[] = {"segment",  "leads",     "mqls",
                                       "accepted", "rejected",  "acceptance_rate",
                                       "sqls",     "customers", "lead_to_customer"};
    columns(t, cols, sizeof cols / sizeof *cols);
    cr_expect_str_eq(t->report, "segment");
    /* the channel report's rows, without its `unattributed` spend row (a segment has
     * no spend), with the same funnel counts, row for row and in the total */
    size_t n = t->nrows;
    cr_assert(n > 0 && n <= c->nrows);
    for (long r = 0; r < (long)n; r++) {
        text(t, r, "segment", lf_table_cell(c, r, 0)->text);
        for (size_t k = 1; k < sizeof cols / sizeof *cols; k++)
            cr_expect(same_cell(lf_table_cell(t, r, (int)k), lf_table_cell(c, r, (int)k)),
                      "row %ld column %s", r, cols[k]);
    }
    for (size_t k = 1; k < sizeof cols / sizeof *cols; k++)
        cr_expect(same_cell(lf_table_cell(t, -1, (int)k), lf_table_cell(c, -1, (int)k)),
                  "total column %s", cols[k]);
    cr_assert(has_note(t, "the attribute 'channel'"));
    lf_table_free(t);
    lf_table_free(c);
}

Test(contribution, segment_without_attribute_is_a_usage_error)
{
    data();
    lf_report_args a = {.cfg = &cfg, .ds = &ds, .from_day = FROM, .to_day = TO,
                        .by = LF_BY_MONTH, .as_of = ASOF};
    lf_table *t = NULL;
    lf_error err;
    cr_expect_eq(lf_report_segment(&a, &t, &err), LF_EUSAGE);
    cr_expect_null(t);
    cr_expect_not_null(strstr(err.msg, "--attribute"));
}

/* ---- channel ----------------------------------------------------------------------- */

Test(contribution, channel)
{
    data();
    lf_table *t = run(lf_report_channel, FROM, TO, LF_BY_MONTH, ASOF);
    static const char *const cols[] = {"channel",      "leads",     "mqls",
                                       "accepted",     "rejected",  "acceptance_rate",
                                       "sqls",         "customers", "lead_to_customer",
                                       "revenue",      "cost",      "cost_per_lead",
                                       "cost_per_sql", "roi"};
    columns(t, cols, sizeof cols / sizeof *cols);
    cr_assert_eq(t->cols[col(t, "revenue")].type, LF_COL_MONEY);
    cr_assert_eq(t->cols[col(t, "cost_per_sql")].type, LF_COL_MONEY);
    /* channels by name, then unattributed: display (no lead) and late (its only lead
     * exists after as-of) have no row of their own */
    cr_assert_eq(t->nrows, 5);
    text(t, 0, "channel", "events");
    text(t, 1, "channel", "outbound");
    text(t, 2, "channel", "paid");
    text(t, 3, "channel", "webinar");
    text(t, 4, "channel", "unattributed");

    /* events: leads E, F = 2; mqls E = 1 (pending: rate null); sqls 0; customers 0
     * (F won after as-of); lead_to_customer 0/2; no spend: cost 0, cost_per_lead
     * 0/2 = 0, cost_per_sql null (0 sqls), roi null (cost 0) */
    counts(t, 0, 2, 1, 0, 0, 0, 0);
    null(t, 0, "acceptance_rate");
    num(t, 0, "lead_to_customer", 0);
    num(t, 0, "revenue", 0);
    num(t, 0, "cost", 0);
    num(t, 0, "cost_per_lead", 0);
    null(t, 0, "cost_per_sql");
    null(t, 0, "roi");

    /* outbound (D, sales-sourced): leads 1, no handoff, sqls 1, customers 1,
     * lead_to_customer 1; revenue 5,000; cost 0 -> cost_per_lead 0, cost_per_sql 0,
     * roi null (zero cost) */
    counts(t, 1, 1, 0, 0, 0, 1, 1);
    null(t, 1, "acceptance_rate");
    num(t, 1, "lead_to_customer", 1);
    num(t, 1, "revenue", 5000);
    num(t, 1, "cost", 0);
    num(t, 1, "cost_per_lead", 0);
    num(t, 1, "cost_per_sql", 0);
    null(t, 1, "roi");

    /* paid: leads B, C = 2; mqls B, C#1, C#2 = 3; accepted B, rejected C#1 (C#2
     * pending) -> 0.5; sqls B = 1; customers A, B = 2; cohort B: 1/2 = 0.5;
     * revenue 1,000 + 3,000 = 4,000; cost: March 3,100 + April 10 days x 100 = 1,000
     * + the 04-10 day row 50 (the day began at 00:00, before as-of 12:00) = 4,150
     * (February's 2,800 is outside the range; 04-11's 70 is after as-of);
     * cost_per_lead 4,150 / 2 = 2,075; cost_per_sql 4,150 / 1; roi (4,000 - 4,150) /
     * 4,150 = -150 / 4,150 */
    counts(t, 2, 2, 3, 1, 1, 1, 2);
    num(t, 2, "acceptance_rate", 0.5);
    num(t, 2, "lead_to_customer", 0.5);
    num(t, 2, "revenue", 4000);
    num(t, 2, "cost", 4150);
    num(t, 2, "cost_per_lead", 2075);
    num(t, 2, "cost_per_sql", 4150);
    num(t, 2, "roi", -150.0 / 4150.0);

    /* webinar: H exists (created 2025-12-01), so its 400 of spend on 03-20 is the
     * channel's, though no lead of it is in the range: counts 0, ratios over leads
     * and sqls null, roi (0 - 400) / 400 = -1 */
    counts(t, 3, 0, 0, 0, 0, 0, 0);
    null(t, 3, "lead_to_customer");
    num(t, 3, "cost", 400);
    null(t, 3, "cost_per_lead");
    null(t, 3, "cost_per_sql");
    num(t, 3, "roi", -1);

    /* unattributed: all 310 (March) + display 200 (no lead has display) + late 10 x
     * 20 = 200 (late's only lead G is created after as-of) = 710; roi -1 */
    counts(t, 4, 0, 0, 0, 0, 0, 0);
    num(t, 4, "revenue", 0);
    num(t, 4, "cost", 710);
    null(t, 4, "cost_per_lead");
    num(t, 4, "roi", -1);

    /* total: leads 5, mqls 4, accepted 1, rejected 1, sqls 2, customers 3, cohort 2
     * -> 0.4; revenue 9,000; cost 4,150 + 400 + 710 = 5,260; cost_per_lead 5,260 / 5
     * = 1,052; cost_per_sql 5,260 / 2 = 2,630; roi (9,000 - 5,260) / 5,260 */
    counts(t, -1, 5, 4, 1, 1, 2, 3);
    num(t, -1, "acceptance_rate", 0.5);
    num(t, -1, "lead_to_customer", 0.4);
    num(t, -1, "revenue", 9000);
    num(t, -1, "cost", 5260);
    num(t, -1, "cost_per_lead", 1052);
    num(t, -1, "cost_per_sql", 2630);
    num(t, -1, "roi", 3740.0 / 5260.0);
    lf_table_free(t);
}

Test(contribution, channel_spend_cut_at_day_start)
{
    data();
    /* as-of 2026-04-10 00:00 exactly: 04-10 begins at as-of, not before it, so only
     * April 1-9 count. paid: 3,100 + 9 x 100 = 4,000 (the 04-10 day row 50 is out);
     * unattributed: 310 + 200 + late 9 x 20 = 180 -> 690; webinar 400 */
    lf_table *t = run(lf_report_channel, FROM, TO, LF_BY_MONTH, B(2026, 4, 10, 0, 0));
    cr_assert_eq(t->nrows, 5);
    text(t, 2, "channel", "paid");
    num(t, 2, "cost", 4000);
    text(t, 3, "channel", "webinar");
    num(t, 3, "cost", 400);
    text(t, 4, "channel", "unattributed");
    num(t, 4, "cost", 690);
    num(t, -1, "cost", 5090);
    lf_table_free(t);
}

Test(contribution, channel_late_lead_known_after_its_creation)
{
    data();
    /* as-of 2026-04-30 12:00: G (late, created 04-20) exists now, so late's April
     * spend is its own: all 30 days x 20 = 600; late's row: leads 1 (G), cost 600,
     * cost_per_lead 600. unattributed: all 310 + display 200 = 510 */
    lf_table *t = run(lf_report_channel, FROM, TO, LF_BY_MONTH, B(2026, 4, 30, 12, 0));
    /* rows: events, late, outbound, paid, webinar, unattributed */
    cr_assert_eq(t->nrows, 6);
    text(t, 1, "channel", "late");
    num(t, 1, "leads", 1);
    num(t, 1, "cost", 600);
    num(t, 1, "cost_per_lead", 600);
    text(t, 5, "channel", "unattributed");
    num(t, 5, "cost", 510);
    lf_table_free(t);
}

Test(contribution, channel_without_unattributed_spend)
{
    data();
    /* February 2026, as-of March 1: paid's February 2,800 is its own; no `all`,
     * display or late spend in February: no unattributed row. Nothing else happens in
     * February (A's sql was 02-01 10:00: sqls 1). paid: leads 0, sqls 1, cost 2,800,
     * cost_per_sql 2,800, roi -1 */
    lf_table *t =
        run(lf_report_channel, D(2026, 2, 1), D(2026, 3, 1), LF_BY_MONTH, B(2026, 3, 1, 0, 0));
    cr_assert_eq(t->nrows, 1);
    text(t, 0, "channel", "paid");
    counts(t, 0, 0, 0, 0, 0, 1, 0);
    num(t, 0, "cost", 2800);
    num(t, 0, "cost_per_sql", 2800);
    null(t, 0, "cost_per_lead");
    num(t, 0, "roi", -1);
    num(t, -1, "cost", 2800);
    lf_table_free(t);
}

/* ---- customers --------------------------------------------------------------------- */

Test(contribution, customers_by_month)
{
    data();
    lf_table *t = run(lf_report_customers, FROM, TO, LF_BY_MONTH, ASOF);
    static const char *const cols[] = {
        "period",         "customers",         "marketing_sourced", "marketing_sourced_rate",
        "revenue",        "marketing_revenue", "lead_to_customer",  "visitors",
        "visitor_to_lead"};
    columns(t, cols, sizeof cols / sizeof *cols);
    cr_assert_eq(t->nrows, 2);
    text(t, 0, "period", "2026-03");
    text(t, 1, "period", "2026-04");

    /* March: won A (03-05, marketing, 1,000) -> customers 1, marketing 1, rate 1;
     * leads created B, C = 2, of them customers by as-of B (won in April) -> 1/2;
     * visitors: the `all` March row 620 -> visitor_to_lead 2 / 620 */
    num(t, 0, "customers", 1);
    num(t, 0, "marketing_sourced", 1);
    num(t, 0, "marketing_sourced_rate", 1);
    num(t, 0, "revenue", 1000);
    num(t, 0, "marketing_revenue", 1000);
    num(t, 0, "lead_to_customer", 0.5);
    num(t, 0, "visitors", 620);
    num(t, 0, "visitor_to_lead", 2.0 / 620.0);

    /* April: won B (04-02, marketing, 3,000), D (04-08, sales, 5,000); F's win is
     * after as-of -> customers 2, marketing 1, rate 0.5, revenue 8,000, marketing
     * 3,000; leads created D, E, F = 3 (G after as-of), customers by as-of D -> 1/3;
     * visitors: paid April 10 days x 10 = 100 + events 04-10 7 (began before as-of)
     * = 107 (04-11's 9 not) -> 3 / 107 */
    num(t, 1, "customers", 2);
    num(t, 1, "marketing_sourced", 1);
    num(t, 1, "marketing_sourced_rate", 0.5);
    num(t, 1, "revenue", 8000);
    num(t, 1, "marketing_revenue", 3000);
    num(t, 1, "lead_to_customer", 1.0 / 3.0);
    num(t, 1, "visitors", 107);
    num(t, 1, "visitor_to_lead", 3.0 / 107.0);

    /* total: customers 3 (flow: A counts though created in January), marketing 2 ->
     * 2/3, revenue 9,000, marketing 4,000; cohort 2 of 5 leads -> 0.4; visitors 727
     * -> 5 / 727. The cohort (2) differs from the flow (3). */
    num(t, -1, "customers", 3);
    num(t, -1, "marketing_sourced", 2);
    num(t, -1, "marketing_sourced_rate", 2.0 / 3.0);
    num(t, -1, "revenue", 9000);
    num(t, -1, "marketing_revenue", 4000);
    num(t, -1, "lead_to_customer", 0.4);
    num(t, -1, "visitors", 727);
    num(t, -1, "visitor_to_lead", 5.0 / 727.0);
    /* 66.7%: above 20-40% (field sales), within 40-80% (inside sales) */
    cr_assert(has_note(t, "the total here, 66.7%, is above the field-sales range and "
                          "within the inside-sales range"));
    cr_assert(has_note(t, "the total here, 40.0%, is above that range"));
    lf_table_free(t);
}

Test(contribution, customers_by_week_spreads_visitors)
{
    data();
    /* weeks of Mon 03-30 and Mon 04-06, range [03-30, 04-13), as-of 04-10 12:00.
     * Week 03-30: March 30, 31 of the `all` March row (20/day) = 40 + April 1-5 of
     * paid April (10/day) = 50 -> 90; won B (04-02) -> 1 marketing; leads D (04-01),
     * E (04-05) = 2, of them D a customer -> 0.5; visitor_to_lead 2 / 90.
     * Week 04-06: paid April 6-10 = 50 + events 04-10 7 = 57 (04-11, 04-12 have not
     * begun); won D (04-08, sales) -> 1, marketing 0 -> rate 0; leads F = 1, not a
     * customer by as-of -> 0; 1 / 57. */
    lf_table *t = run(lf_report_customers, D(2026, 3, 30), D(2026, 4, 13), LF_BY_WEEK, ASOF);
    cr_assert_eq(t->nrows, 2);
    text(t, 0, "period", "2026-03-30");
    text(t, 1, "period", "2026-04-06");
    num(t, 0, "visitors", 90);
    num(t, 0, "customers", 1);
    num(t, 0, "marketing_sourced", 1);
    num(t, 0, "lead_to_customer", 0.5);
    num(t, 0, "visitor_to_lead", 2.0 / 90.0);
    num(t, 1, "visitors", 57);
    num(t, 1, "customers", 1);
    num(t, 1, "marketing_sourced", 0);
    num(t, 1, "marketing_sourced_rate", 0);
    num(t, 1, "revenue", 5000);
    num(t, 1, "marketing_revenue", 0);
    num(t, 1, "lead_to_customer", 0);
    num(t, 1, "visitor_to_lead", 1.0 / 57.0);
    /* total: 90 + 57 = 147 visitors, 3 leads -> 3 / 147; 2 customers, 1 of them
     * marketing-sourced: 50%, above 20-40% (field sales), within 40-80% (inside) */
    num(t, -1, "visitors", 147);
    num(t, -1, "visitor_to_lead", 3.0 / 147.0);
    num(t, -1, "marketing_sourced_rate", 0.5);
    cr_assert(has_note(t, "the total here, 50.0%, is above the field-sales range and "
                          "within the inside-sales range"));
    lf_table_free(t);
}

Test(contribution, customers_without_anything)
{
    /* an empty dataset: one bucket of zeros, every ratio null */
    lf_table *t = run(lf_report_customers, FROM, D(2026, 4, 1), LF_BY_MONTH, ASOF);
    cr_assert_eq(t->nrows, 1);
    num(t, 0, "customers", 0);
    null(t, 0, "marketing_sourced_rate");
    null(t, 0, "lead_to_customer");
    num(t, 0, "visitors", 0);
    null(t, 0, "visitor_to_lead");
    null(t, -1, "visitor_to_lead");
    cr_assert(has_note(t, "no customer was won in the range"));
    cr_assert(has_note(t, "no lead was created in the range"));
    lf_table_free(t);
}

Test(contribution, customers_fraction_of_visitors)
{
    /* 100 visitors over the 30 days of April, as-of 04-04 06:00: April 1-4 count
     * (04-04 began at 00:00) -> 100 x 4 / 30 = 13.333...; one lead created 04-02
     * -> visitor_to_lead 1 / 13.333 = 0.075 */
    lead(B(2026, 4, 2, 9, 0), "", "web", 0);
    month_visitors(2026, 4, "web", 100);
    lf_table *t =
        run(lf_report_customers, D(2026, 4, 1), D(2026, 5, 1), LF_BY_MONTH, B(2026, 4, 4, 6, 0));
    num(t, 0, "visitors", 400.0 / 30.0);
    num(t, 0, "visitor_to_lead", 0.075);
    lf_table_free(t);
}
