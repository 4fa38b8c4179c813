/*
 * contribution.c — who and what brings customers: the `persona`, `channel` and
 * `customers` reports (SPEC §5).
 *
 * Place in the flow: dataset (derived lead state, spend, visitors) -> table; pure, no
 * I/O. Every array of the dataset is read once: leads, then handoffs, then
 * transitions, then spend or traffic rows, so 1M leads take a few tens of ms.
 *
 * persona / channel / segment (one row per dimension value with anything in the
 * range, sorted by name in byte order, then a `total` row over everything in the
 * range). One code for the three, parameterised by the dimension (dim_kind): persona
 * and channel read the lead's own name ids, segment reads ds->segment, the value of
 * one lead attribute per lead that the application layer loaded for the request
 * (SPEC §9; NULL unless asked for, so `segment` without it is a usage error):
 *  - leads: created in the range (and by as-of); mqls: handoffs opened (mql_at) in
 *    the range; accepted / rejected: of those handoffs, decided by as-of (a decision
 *    after as-of is pending); acceptance_rate = accepted / (accepted + rejected);
 *  - sqls: entries into `sql` in the range (flow, skips included);
 *  - customers: leads won in the range (flow);
 *  - lead_to_customer: cohort: of the leads created in the range, those that are
 *    customers by as-of, divided by leads. So a lead created before the range and won
 *    in it is a customer of the row but not in its lead_to_customer.
 *  channel also has revenue (won amount of the range's customers), cost (spend in the
 *  range), cost_per_lead, cost_per_sql and roi = (revenue - cost) / cost. Spend on
 *  `all`, or on a channel that no lead existing at as-of has, belongs to no channel:
 *  it is the row `unattributed`, shown last when it has spend in the range (its roi
 *  is -1 by the formula: it has no revenue of its own). "Existing at as-of" (created
 *  by then), not "in the store", because nothing after as-of exists: a past as-of
 *  gives the report as it was then. A channel itself named `unattributed` keeps its
 *  own row (the two are not merged).
 *  A lead's persona id 0 is shown as `none`, a channel id 0 as `unknown` (import
 *  never stores those, but a row with the same label is merged, never shown twice).
 *  A segment id 0 (the lead has no such attribute) is the row `none`, merged with a
 *  value `none` the same way. segment has persona's columns, the first named
 *  `segment`, and a note naming the attribute.
 *  The total sums the rows' counts and money (the unattributed spend included) and
 *  recomputes every ratio from those sums.
 *
 * customers (one row per bucket, then the total):
 *  - customers: won in the bucket (flow); marketing_sourced: of them, origin
 *    marketing; marketing_sourced_rate; revenue / marketing_revenue: their won
 *    amounts;
 *  - lead_to_customer: cohort by created_at: leads created in the bucket that are
 *    customers by as-of / leads created in the bucket;
 *  - visitors: traffic of every channel in the bucket; visitor_to_lead = leads
 *    created in the bucket / visitors.
 *  Notes place the total against the literature benchmarks (SPEC §5).
 *
 * Spend and visitors: a row covers local days [day_from, day_to) and is spread evenly
 * over them (a month's amount over its calendar days); a day counts when it is in
 * the range (or bucket) and began before as-of: lf_day_start(day) < as_of. The share
 * of k days of an n-day row is amount x k / n, multiplied before dividing so whole
 * amounts per day stay exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "report/report_util.h"

/* ---- persona and channel ------------------------------------------------------------- */

typedef struct dim_acc {
    int64_t leads, mqls, accepted, rejected, sqls, customers;
    int64_t cohort; /* leads created in the range that are customers by as-of */
    double revenue, cost;
} dim_acc;

/* Accumulators of the dimension values met so far; slot[id] = index + 1. */
typedef struct dim_set {
    uint32_t *slot; /* one per name id */
    size_t nslots;
    dim_acc *acc;
    uint32_t *id; /* name id of each accumulator */
    size_t n, cap;
} dim_set;

static void dim_release(dim_set *d)
{
    free(d->slot);
    free(d->acc);
    free(d->id);
    memset(d, 0, sizeof *d);
}

/* The accumulator of name id (created zeroed on first use), or NULL on no memory.
 * An id outside the name table (cannot happen with a loaded dataset) counts as 0. */
static dim_acc *dim_get(dim_set *d, uint32_t id)
{
    if (id >= d->nslots)
        id = 0;
    if (d->slot[id])
        return &d->acc[d->slot[id] - 1];
    void *const arrs[] = {&d->acc, &d->id};
    const size_t elems[] = {sizeof *d->acc, sizeof *d->id};
    if (!lf_grow_parallel(&d->cap, d->n + 1, 2, arrs, elems))
        return NULL;
    memset(&d->acc[d->n], 0, sizeof d->acc[d->n]);
    d->id[d->n] = id;
    d->slot[id] = (uint32_t)++d->n;
    return &d->acc[d->n - 1];
}

static void dim_add(dim_acc *to, const dim_acc *a)
{
    to->leads += a->leads;
    to->mqls += a->mqls;
    to->accepted += a->accepted;
    to->rejected += a->rejected;
    to->sqls += a->sqls;
    to->customers += a->customers;
    to->cohort += a->cohort;
    to->revenue += a->revenue;
    to->cost += a->cost;
}

typedef enum dim_kind { DIM_PERSONA, DIM_CHANNEL, DIM_SEGMENT } dim_kind;

typedef struct dim_ctx {
    rep_ctx c;
    dim_kind kind;
    bool channel; /* kind == DIM_CHANNEL: money columns, spend, unattributed */
    dim_set set;
    uint8_t *known; /* channel: name ids some lead existing at as-of has */
    dim_acc unattributed;
    bool has_unattributed;
} dim_ctx;

static uint32_t lead_dim(const dim_ctx *x, const lf_ds_lead *l)
{
    switch (x->kind) {
    case DIM_CHANNEL:
        return l->channel;
    case DIM_SEGMENT:
        return x->c.ds->segment[l - x->c.ds->leads]; /* checked by dim_report */
    default:
        return l->persona;
    }
}

/* Leads: created (and the cohort's customers), won in the range, revenue. */
static lf_status dim_leads(dim_ctx *x)
{
    const rep_ctx *c = &x->c;
    for (size_t i = 0; i < c->ds->nleads; i++) {
        const lf_ds_lead *l = &c->ds->leads[i];
        uint32_t id = lead_dim(x, l);
        if (x->known && id < x->set.nslots && rep_by_as_of(c, l->created_at))
            x->known[id] = 1;
        bool created = rep_bucket(c, l->created_at) >= 0;
        bool won = rep_bucket(c, l->won_at) >= 0;
        if (!created && !won)
            continue;
        dim_acc *a = dim_get(&x->set, id);
        if (!a)
            return LF_ENOMEM;
        if (created) {
            a->leads++;
            if (rep_by_as_of(c, l->won_at))
                a->cohort++;
        }
        if (won) {
            a->customers++;
            a->revenue += l->revenue;
        }
    }
    return LF_OK;
}

/* Handoffs opened in the range, and their decisions by as-of. */
static lf_status dim_handoffs(dim_ctx *x)
{
    const rep_ctx *c = &x->c;
    const lf_dataset *ds = c->ds;
    for (size_t i = 0; i < ds->nhandoffs; i++) {
        const lf_ds_handoff *h = &ds->handoffs[i];
        if (h->lead >= ds->nleads || rep_bucket(c, h->mql_at) < 0)
            continue;
        dim_acc *a = dim_get(&x->set, lead_dim(x, &ds->leads[h->lead]));
        if (!a)
            return LF_ENOMEM;
        a->mqls++;
        if (!rep_by_as_of(c, h->decided_at))
            continue;
        if (h->outcome == LF_OUTCOME_ACCEPTED)
            a->accepted++;
        else if (h->outcome == LF_OUTCOME_REJECTED)
            a->rejected++;
    }
    return LF_OK;
}

/* Entries into sql in the range. */
static lf_status dim_sqls(dim_ctx *x)
{
    const rep_ctx *c = &x->c;
    const lf_dataset *ds = c->ds;
    for (size_t i = 0; i < ds->ntrans; i++) {
        const lf_ds_transition *t = &ds->trans[i];
        if (t->to != LF_STAGE_SQL || t->lead >= ds->nleads || rep_bucket(c, t->ts) < 0)
            continue;
        dim_acc *a = dim_get(&x->set, lead_dim(x, &ds->leads[t->lead]));
        if (!a)
            return LF_ENOMEM;
        a->sqls++;
    }
    return LF_OK;
}

/* Spend in the range: to its channel's row, or to `unattributed`. */
static lf_status dim_costs(dim_ctx *x)
{
    const rep_ctx *c = &x->c;
    const lf_dataset *ds = c->ds;
    uint32_t all = lf_dataset_name_id(ds, "all");
    int32_t end = rep_first_uncounted_day(c);
    if (end > c->a->to_day)
        end = c->a->to_day;
    for (size_t i = 0; i < ds->ncosts; i++) {
        const lf_ds_amount *s = &ds->costs[i];
        if (s->day_from >= end || s->day_to <= c->a->from_day || s->day_to <= s->day_from)
            continue; /* no day of the row counts */
        double share = rep_share(s, c->a->from_day, end);
        uint32_t id = s->channel;
        if (id == 0 || id == all || id >= x->set.nslots || !x->known[id]) {
            x->unattributed.cost += share;
            x->has_unattributed = true;
            continue;
        }
        dim_acc *a = dim_get(&x->set, id);
        if (!a)
            return LF_ENOMEM;
        a->cost += share;
    }
    return LF_OK;
}

enum {
    D_NAME,
    D_LEADS,
    D_MQLS,
    D_ACCEPTED,
    D_REJECTED,
    D_ACC_RATE,
    D_SQLS,
    D_CUSTOMERS,
    D_L2C,
    D_REVENUE, /* channel only, from here */
    D_COST,
    D_CPL,
    D_CPS,
    D_ROI,
    D_N
};

/* The columns of channel; persona and segment have the first D_REVENUE, the first
 * named after the dimension. */
#define DIM_COLS                                                                               \
    {"leads", LF_COL_COUNT, "Flow: leads created in the range."},                              \
    {"mqls", LF_COL_COUNT, "Flow: MQLs, i.e. handoffs to sales opened (mql_at) in the range."}, \
    {"accepted", LF_COL_COUNT, "Cohort by mql_at: of those handoffs, accepted by sales by "    \
                               "as-of."},                                                      \
    {"rejected", LF_COL_COUNT, "Cohort by mql_at: of those handoffs, rejected by sales (or "   \
                               "the lead disqualified) by as-of."},                            \
    {"acceptance_rate", LF_COL_RATE, REP_DEF_ACCEPTANCE},                                      \
    {"sqls", LF_COL_COUNT, "Flow: entries into sql in the range by any route (accepted "       \
                           "handoffs and skips, such as sales-sourced leads)."},               \
    {"customers", LF_COL_COUNT, "Flow: leads won (entered customer) in the range."},           \
    {"lead_to_customer", LF_COL_RATE, "Cohort by created_at: leads created in the range that " \
                                      "are customers by as-of / leads (benchmark: 2-5%)."}
const lf_col_spec rep_cols_persona[D_REVENUE + 1] = {
    {"persona", LF_COL_TEXT,
     "The lead's persona: as imported, else the first persona rule it meets; none when neither "
     "gives one."},
    DIM_COLS,
    {NULL, 0, NULL},
};
const lf_col_spec rep_cols_segment[D_REVENUE + 1] = {
    {"segment", LF_COL_TEXT,
     "The lead's value of the attribute given with --attribute (a lead attribute such as "
     "industry); none for leads without it."},
    DIM_COLS,
    {NULL, 0, NULL},
};
const lf_col_spec rep_cols_channel[D_N + 1] = {
    {"channel", LF_COL_TEXT,
     "The lead's channel: the first sources rule matching its source, else the source itself, "
     "lower case; unattributed = spend on all or on a channel no lead created by as-of has."},
    DIM_COLS,
    {"revenue", LF_COL_MONEY, "Flow: won amounts of the leads won in the range."},
    {"cost", LF_COL_MONEY,
     "Spend in the range on the row's channel; a spend row is spread evenly over its days, and "
     "a day counts once it began before as-of."},
    {"cost_per_lead", LF_COL_MONEY, "cost / leads."},
    {"cost_per_sql", LF_COL_MONEY, "cost / sqls."},
    {"roi", LF_COL_RATE, "(revenue - cost) / cost: return on the row's spend."},
    {NULL, 0, NULL},
};

static void dim_set_row(lf_table *t, long row, const dim_acc *a, bool channel)
{
    lf_cell_set_num(lf_table_cell(t, row, D_LEADS), (double)a->leads);
    lf_cell_set_num(lf_table_cell(t, row, D_MQLS), (double)a->mqls);
    lf_cell_set_num(lf_table_cell(t, row, D_ACCEPTED), (double)a->accepted);
    lf_cell_set_num(lf_table_cell(t, row, D_REJECTED), (double)a->rejected);
    lf_cell_set_ratio(lf_table_cell(t, row, D_ACC_RATE), (double)a->accepted,
                      (double)(a->accepted + a->rejected));
    lf_cell_set_num(lf_table_cell(t, row, D_SQLS), (double)a->sqls);
    lf_cell_set_num(lf_table_cell(t, row, D_CUSTOMERS), (double)a->customers);
    lf_cell_set_ratio(lf_table_cell(t, row, D_L2C), (double)a->cohort, (double)a->leads);
    if (!channel)
        return;
    lf_cell_set_num(lf_table_cell(t, row, D_REVENUE), a->revenue);
    lf_cell_set_num(lf_table_cell(t, row, D_COST), a->cost);
    lf_cell_set_ratio(lf_table_cell(t, row, D_CPL), a->cost, (double)a->leads);
    lf_cell_set_ratio(lf_table_cell(t, row, D_CPS), a->cost, (double)a->sqls);
    lf_cell_set_ratio(lf_table_cell(t, row, D_ROI), a->revenue - a->cost, a->cost);
}

typedef struct dim_row {
    const char *label;
    size_t acc; /* index into the set */
} dim_row;

static int by_label(const void *a, const void *b)
{
    const dim_row *x = a, *y = b;
    int r = strcmp(x->label, y->label);
    return r ? r : (x->acc > y->acc) - (x->acc < y->acc);
}

/* Appends a row labelled `label` with a's figures; LF_ENOMEM on failure. */
static lf_status dim_add_row(lf_table *t, const char *label, const dim_acc *a, bool channel)
{
    long row = lf_table_add_row(t);
    if (row < 0 || lf_cell_set_text(lf_table_cell(t, row, D_NAME), label) != LF_OK)
        return LF_ENOMEM;
    dim_set_row(t, row, a, channel);
    return LF_OK;
}

/* Writes "12.3%" (one decimal, as the terminal shows rates). */
static void pct(double r, char *buf, size_t size)
{
    snprintf(buf, size, "%.1f%%", r * 100.0);
}

/* "below", "within" or "above" the closed range [lo, hi]. */
static const char *position(double r, double lo, double hi)
{
    return r < lo ? "below" : r > hi ? "above" : "within";
}

static lf_status l2c_note(lf_table *t, int64_t cohort, int64_t leads)
{
    if (leads == 0)
        return lf_table_add_note(t, "benchmark: lead-to-customer conversion is typically "
                                    "2\xe2\x80\x93"
                                    "5%%; no lead was created in the range");
    double r = (double)cohort / (double)leads;
    char p[32];
    pct(r, p, sizeof p);
    return lf_table_add_note(t,
                             "benchmark: lead-to-customer conversion is typically "
                             "2\xe2\x80\x93"
                             "5%%; the total here, %s, is %s that range",
                             p, position(r, 0.02, 0.05));
}

static lf_status dim_notes(const dim_ctx *x, lf_table *t, const dim_acc *tot)
{
    lf_status s = LF_OK;
    if (x->kind == DIM_SEGMENT)
        s = lf_table_add_note(t,
                              "segment: each lead's value of the attribute '%s' as last "
                              "imported; none: leads without it",
                              x->c.ds->segment_attr ? x->c.ds->segment_attr : "");
    if (s == LF_OK)
        s = lf_table_add_note(t, "lead_to_customer: of the leads created in the range, "
                                 "those that are customers by as-of (cohort); customers: "
                                 "won in the range (flow)");
    if (s == LF_OK && x->channel)
        s = lf_table_add_note(
            t, "cost: spend in the range, a month's amount spread evenly "
               "over its days, a day counted once it began before as-of; "
               "unattributed: spend on 'all' or on a channel that no lead had by as-of");
    if (s == LF_OK)
        s = l2c_note(t, tot->cohort, tot->leads);
    return s;
}

/* The rows sorted by label (equal labels merged), unattributed, and the total. */
static lf_status dim_fill(dim_ctx *x, lf_table *t)
{
    const dim_set *d = &x->set;
    const char *empty = x->channel ? "unknown" : "none";
    dim_row *rows = malloc((d->n ? d->n : 1) * sizeof *rows);
    if (!rows)
        return LF_ENOMEM;
    for (size_t i = 0; i < d->n; i++) {
        const char *n = rep_name(x->c.ds, d->id[i]);
        rows[i] = (dim_row){*n ? n : empty, i};
    }
    qsort(rows, d->n, sizeof *rows, by_label);
    dim_acc tot;
    memset(&tot, 0, sizeof tot);
    lf_status s = LF_OK;
    for (size_t i = 0; i < d->n && s == LF_OK;) {
        dim_acc a = d->acc[rows[i].acc];
        size_t j = i + 1;
        for (; j < d->n && strcmp(rows[j].label, rows[i].label) == 0; j++)
            dim_add(&a, &d->acc[rows[j].acc]);
        s = dim_add_row(t, rows[i].label, &a, x->channel);
        dim_add(&tot, &a);
        i = j;
    }
    free(rows);
    if (s == LF_OK && x->has_unattributed) {
        s = dim_add_row(t, "unattributed", &x->unattributed, true);
        dim_add(&tot, &x->unattributed);
    }
    if (s == LF_OK && (lf_table_add_total(t) != LF_OK ||
                       lf_cell_set_text(lf_table_cell(t, -1, D_NAME), "total") != LF_OK))
        s = LF_ENOMEM;
    if (s == LF_OK) {
        dim_set_row(t, -1, &tot, x->channel);
        s = dim_notes(x, t, &tot);
    }
    return s;
}

static const char *const dim_name[] = {"persona", "channel", "segment"};
static const lf_col_spec *const dim_cols[] = {rep_cols_persona, rep_cols_channel,
                                              rep_cols_segment};

static lf_status dim_report(const lf_report_args *args, dim_kind kind, lf_table **out,
                            lf_error *err)
{
    *out = NULL;
    if (kind == DIM_SEGMENT && (!args->ds || !args->ds->segment))
        return lf_errorf(err, LF_EUSAGE, "segment needs --attribute NAME (a lead attribute)");
    bool channel = kind == DIM_CHANNEL;
    dim_ctx x;
    memset(&x, 0, sizeof x);
    x.kind = kind;
    x.channel = channel;
    lf_status s = rep_begin(&x.c, args, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = x.c.ds;
    lf_table *t = NULL;
    x.set.nslots = ds->nnames ? ds->nnames : 1;
    x.set.slot = calloc(x.set.nslots, sizeof *x.set.slot);
    if (channel)
        x.known = calloc(x.set.nslots, 1);
    if (!x.set.slot || (channel && !x.known))
        s = LF_ENOMEM;
    if (s == LF_OK)
        s = dim_leads(&x);
    if (s == LF_OK)
        s = dim_handoffs(&x);
    if (s == LF_OK)
        s = dim_sqls(&x);
    if (s == LF_OK && channel)
        s = dim_costs(&x);
    if (s == LF_OK) {
        s = rep_table(&x.c, dim_name[kind], false, dim_cols[kind], channel ? D_N : D_REVENUE, &t,
                      err);
        if (s == LF_OK)
            s = dim_fill(&x, t);
    }
    if (s == LF_ENOMEM)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    if (s == LF_OK && lf_report_mark_missing(args->ds, t) != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    dim_release(&x.set);
    free(x.known);
    rep_end(&x.c);
    return rep_finish(s, t, out);
}

lf_status lf_report_persona(const lf_report_args *a, lf_table **out, lf_error *err)
{
    return dim_report(a, DIM_PERSONA, out, err);
}

lf_status lf_report_channel(const lf_report_args *a, lf_table **out, lf_error *err)
{
    return dim_report(a, DIM_CHANNEL, out, err);
}

lf_status lf_report_segment(const lf_report_args *a, lf_table **out, lf_error *err)
{
    return dim_report(a, DIM_SEGMENT, out, err);
}

/* ---- customers ----------------------------------------------------------------------- */

enum {
    K_PERIOD,
    K_CUSTOMERS,
    K_MARKETING,
    K_MARKETING_RATE,
    K_REVENUE,
    K_MARKETING_REVENUE,
    K_L2C,
    K_VISITORS,
    K_V2L,
    K_N
};

const lf_col_spec rep_cols_customers[K_N + 1] = {
    {"period", LF_COL_TEXT, REP_DEF_PERIOD},
    {"customers", LF_COL_COUNT, "Flow: leads won (entered customer) in the period."},
    {"marketing_sourced", LF_COL_COUNT,
     "Flow: of the customers won in the period, those whose origin is marketing (as imported, "
     "else the sources rule's, else marketing)."},
    {"marketing_sourced_rate", LF_COL_RATE,
     "marketing_sourced / customers (benchmark: 20-40% with field sales, 40-80% with inside "
     "sales and lead-focused marketing)."},
    {"revenue", LF_COL_MONEY, "Flow: won amounts of the customers won in the period."},
    {"marketing_revenue", LF_COL_MONEY,
     "Flow: won amounts of the marketing-sourced customers won in the period."},
    {"lead_to_customer", LF_COL_RATE, REP_DEF_L2C},
    /* spread over days: may have a fraction */
    {"visitors", LF_COL_NUMBER,
     "Visitors of every channel on the period's days; a traffic row is spread evenly over its "
     "days, and a day counts once it began before as-of."},
    {"visitor_to_lead", LF_COL_RATE, "Leads created in the period / visitors."},
    {NULL, 0, NULL},
};

typedef struct cust_row {
    int64_t customers, marketing, leads, cohort;
    double revenue, marketing_revenue, visitors;
} cust_row;

static void cust_set_row(lf_table *t, long row, const cust_row *r)
{
    lf_cell_set_num(lf_table_cell(t, row, K_CUSTOMERS), (double)r->customers);
    lf_cell_set_num(lf_table_cell(t, row, K_MARKETING), (double)r->marketing);
    lf_cell_set_ratio(lf_table_cell(t, row, K_MARKETING_RATE), (double)r->marketing,
                      (double)r->customers);
    lf_cell_set_num(lf_table_cell(t, row, K_REVENUE), r->revenue);
    lf_cell_set_num(lf_table_cell(t, row, K_MARKETING_REVENUE), r->marketing_revenue);
    lf_cell_set_ratio(lf_table_cell(t, row, K_L2C), (double)r->cohort, (double)r->leads);
    lf_cell_set_num(lf_table_cell(t, row, K_VISITORS), r->visitors);
    lf_cell_set_ratio(lf_table_cell(t, row, K_V2L), (double)r->leads, r->visitors);
}

/* Adds every traffic row's visitors to the buckets whose days it covers. */
static lf_status cust_visitors(const rep_ctx *c, cust_row *r)
{
    double *acc = calloc(c->per.n, sizeof *acc);
    if (!acc)
        return LF_ENOMEM;
    int32_t cut = rep_first_uncounted_day(c);
    for (size_t i = 0; i < c->ds->ntraffic; i++)
        rep_spread_buckets(c, &c->ds->traffic[i], 0, cut, acc);
    for (size_t b = 0; b < c->per.n; b++)
        r[b].visitors += acc[b];
    free(acc);
    return LF_OK;
}

static lf_status cust_notes(lf_table *t, const cust_row *tot)
{
    char p[32];
    lf_status s;
    if (tot->customers == 0) {
        s = lf_table_add_note(t, "benchmark: marketing-sourced customers are typically "
                                 "20\xe2\x80\x93"
                                 "40%% of new customers with field sales, "
                                 "40\xe2\x80\x93"
                                 "80%% with inside sales and lead-focused "
                                 "marketing; no customer was won in the range");
    } else {
        double r = (double)tot->marketing / (double)tot->customers;
        pct(r, p, sizeof p);
        s = lf_table_add_note(t,
                              "benchmark: marketing-sourced customers are typically "
                              "20\xe2\x80\x93"
                              "40%% of new customers with field sales, "
                              "40\xe2\x80\x93"
                              "80%% with inside sales and lead-focused "
                              "marketing; the total here, %s, is %s the field-sales range "
                              "and %s the inside-sales range",
                              p, position(r, 0.20, 0.40), position(r, 0.40, 0.80));
    }
    if (s == LF_OK)
        s = l2c_note(t, tot->cohort, tot->leads);
    return s;
}

lf_status lf_report_customers(const lf_report_args *a, lf_table **out, lf_error *err)
{
    *out = NULL;
    rep_ctx c;
    lf_status s = rep_begin(&c, a, err);
    if (s != LF_OK)
        return s;
    const lf_dataset *ds = c.ds;
    lf_table *t = NULL;
    cust_row *r = calloc(c.per.n, sizeof *r);
    if (!r)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    for (size_t i = 0; s == LF_OK && i < ds->nleads; i++) {
        const lf_ds_lead *l = &ds->leads[i];
        long b = rep_bucket(&c, l->created_at);
        if (b >= 0) {
            r[b].leads++;
            if (rep_by_as_of(&c, l->won_at))
                r[b].cohort++;
        }
        b = rep_bucket(&c, l->won_at);
        if (b >= 0) {
            bool marketing = l->origin == 0;
            r[b].customers++;
            r[b].revenue += l->revenue;
            if (marketing) {
                r[b].marketing++;
                r[b].marketing_revenue += l->revenue;
            }
        }
    }
    if (s == LF_OK) {
        if (cust_visitors(&c, r) != LF_OK)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (s == LF_OK) {
        s = rep_table(&c, "customers", true, rep_cols_customers, K_N, &t, err);
    }
    if (s == LF_OK) {
        cust_row tot;
        memset(&tot, 0, sizeof tot);
        for (size_t b = 0; b < c.per.n; b++) {
            cust_set_row(t, (long)b, &r[b]);
            tot.customers += r[b].customers;
            tot.marketing += r[b].marketing;
            tot.leads += r[b].leads;
            tot.cohort += r[b].cohort;
            tot.revenue += r[b].revenue;
            tot.marketing_revenue += r[b].marketing_revenue;
            tot.visitors += r[b].visitors;
        }
        cust_set_row(t, -1, &tot);
        if (cust_notes(t, &tot) != LF_OK)
            s = lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (s == LF_OK && lf_report_mark_missing(a->ds, t) != LF_OK)
        s = lf_errorf(err, LF_ENOMEM, "out of memory");
    free(r);
    rep_end(&c);
    return rep_finish(s, t, out);
}
