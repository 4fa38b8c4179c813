/*
 * html.c — the HTML report page (see html.h): template, headline strip, one
 * section per report with its charts, table and notes.
 *
 * Place in the flow: tables (and, for the headline, the same reports over the
 * previous period) -> one self-contained HTML page in an lf_buf. The page template
 * and its CSS are assets/report/report.html and report.css, embedded at build
 * time; the template's double-brace slots ({{reports}}, ...) are filled here, and a
 * slot the code does not know is an error, so a typo in the template fails the
 * tests instead of shipping.
 *
 * Invariants:
 *   - every text that did not come from this source file is written through
 *     mk_text (markup.h), the page's one escaping function;
 *   - the page references nothing outside itself: no scripts, no URLs; links are
 *     in-page anchors; the template's Content-Security-Policy forbids loading
 *     anything else;
 *   - the output depends only on the tables and the context (no clock, no
 *     locale), so the same data gives the same bytes and golden tests can hold it.
 * Section ids are "report-NAME", chart figures "fig-NAME-K": the browser test and
 * in-page links rely on them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "html.h"
#include "markup.h"
#include "render.h"

/* Embedded by cmake/embed.cmake from assets/report/. */
extern const unsigned char lf_asset_report_report_html[];
extern const size_t lf_asset_report_report_html_len;
extern const unsigned char lf_asset_report_report_css[];
extern const size_t lf_asset_report_report_css_len;

#define OBJ_SHOWN 8 /* object entries shown in a table cell before "… N more" */

/* How each report is introduced on the page. */
static const struct report_info {
    const char *name, *title, *question;
} infos[] = {
    {"funnel", "Funnel",
     "Where the leads are, what moved between stages, and how far the leads "
     "created in the range got."},
    {"mql", "MQLs against goal", "How many MQLs did we produce, against our goal?"},
    {"sql", "Sales acceptance",
     "How many MQLs did sales accept, and why did they reject the rest?"},
    {"velocity", "SLA and response time",
     "Does sales decide on MQLs within the SLA? How long do leads take from stage to stage?"},
    {"speed", "Speed to lead", "How soon after an MQL does sales first contact the lead?"},
    {"cost", "Cost per SQL",
     "What does an SQL cost, with the lag between spend and result taken into account?"},
    {"bizday", "Leads per business day",
     "Leads and MQLs per business day, month over month, and the pace of this month."},
    {"persona", "Personas", "Which personas become MQLs, SQLs and customers?"},
    {"channel", "Channels",
     "Which channels convert, and what do they earn against what they cost?"},
    {"customers", "Customers and marketing's share",
     "How many customers did we win, and what share came from marketing?"},
    {"scoring", "Score bands",
     "Is the MQL definition right? Acceptance and wins by the score a lead had when it "
     "qualified."},
};

static const struct report_info *info_of(const char *name)
{
    for (size_t i = 0; name && i < sizeof infos / sizeof infos[0]; i++)
        if (strcmp(infos[i].name, name) == 0)
            return &infos[i];
    return NULL;
}

/* The report name as an id fragment: [a-z0-9-] only. */
static void id_of(const char *name, char *buf, size_t size)
{
    size_t k = 0;
    for (const char *p = name ? name : "report"; *p && k + 1 < size; p++)
        buf[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '-';
    buf[k] = '\0';
}

/* An instant for people: UTC to the second ("2026-04-14T22:00:00Z"); the exact
 * value, to the microsecond, is in the JSON output. */
static void fmt_instant(lf_time t, char *buf, size_t size)
{
    lf_time s = t - ((t % LF_USEC_PER_SEC) + LF_USEC_PER_SEC) % LF_USEC_PER_SEC;
    lf_time_format_utc(s, buf, size);
}

lf_html_context lf_html_context_none(void)
{
    lf_html_context c = {.sla_hours = NAN, .target_hours = NAN};
    return c;
}

/* ---- tables ------------------------------------------------------------------------- */

static bool numeric(lf_col_type type)
{
    return type != LF_COL_TEXT && type != LF_COL_OBJECT;
}

/* "key n, key n, …": an object cell, at most OBJ_SHOWN entries. */
static void object_cell(mk_out *o, const lf_cell *c)
{
    if (c->kind != LF_CELL_OBJ || !c->obj) {
        mk_raw(o, MK_NULL_MARK);
        return;
    }
    if (c->obj->n == 0) {
        mk_raw(o, "(none)");
        return;
    }
    mk_raw(o, "<div>");
    for (size_t i = 0; i < c->obj->n && i < OBJ_SHOWN; i++) {
        char b[MK_NUM_MAX];
        mk_fmt_cell(&c->obj->vals[i], c->obj->types[i], b, sizeof b);
        if (i)
            mk_raw(o, ", ");
        mk_text(o, c->obj->keys[i]);
        mk_raw(o, "\xc2\xa0"); /* no-break space keeps a key with its number */
        mk_text(o, b);
    }
    if (c->obj->n > OBJ_SHOWN)
        mk_rawf(o, ", \xe2\x80\xa6 %zu more", c->obj->n - OBJ_SHOWN);
    mk_raw(o, "</div>");
}

static void table_row(mk_out *o, const lf_table *t, const lf_cell *row, bool total)
{
    mk_raw(o, "<tr>");
    for (size_t c = 0; c < t->ncols; c++) {
        const lf_column *col = &t->cols[c];
        const lf_cell *cell = &row[c];
        if (c == 0) {
            mk_raw(o, "<th scope=\"row\">");
            if (total) {
                mk_raw(o, "total");
            } else {
                char b[MK_NUM_MAX];
                if (cell->kind == LF_CELL_TEXT && cell->text)
                    mk_text(o, cell->text);
                else {
                    mk_fmt_cell(cell, col->type, b, sizeof b);
                    mk_text(o, b);
                }
            }
            mk_raw(o, "</th>");
            continue;
        }
        if (col->type == LF_COL_OBJECT) {
            mk_raw(o, "<td class=\"obj\">");
            object_cell(o, cell);
        } else if (cell->kind == LF_CELL_TEXT && cell->text) {
            mk_raw(o, "<td>");
            mk_text(o, cell->text);
        } else {
            char b[MK_NUM_MAX];
            mk_fmt_cell(cell, col->type, b, sizeof b);
            mk_raw(o, numeric(col->type) ? "<td class=\"n\">" : "<td>");
            mk_text(o, b);
        }
        mk_raw(o, "</td>");
    }
    mk_raw(o, "</tr>\n");
}

static void table(mk_out *o, const lf_table *t, const char *id)
{
    mk_rawf(o,
            "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
            "aria-labelledby=\"report-%s-h\">\n<table>\n<thead><tr>",
            id);
    for (size_t c = 0; c < t->ncols; c++) {
        char h[128];
        mk_humanize(t->cols[c].name, h, sizeof h);
        mk_raw(o, c > 0 && numeric(t->cols[c].type) ? "<th scope=\"col\" class=\"n\" title=\""
                                                    : "<th scope=\"col\" title=\"");
        mk_text(o, t->cols[c].name);
        mk_raw(o, "\">");
        mk_text(o, h);
        mk_raw(o, "</th>");
    }
    mk_raw(o, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < t->nrows; r++)
        table_row(o, t, t->cells + r * t->ncols, false);
    mk_raw(o, "</tbody>\n");
    if (t->has_total && t->total) {
        mk_raw(o, "<tfoot>\n");
        table_row(o, t, t->total, true);
        mk_raw(o, "</tfoot>\n");
    }
    mk_raw(o, "</table>\n</div>\n");
}

/* ---- sections -------------------------------------------------------------------------- */

static lf_status section(mk_out *o, const lf_table *t, const lf_html_context *ctx)
{
    char id[48];
    id_of(t->report, id, sizeof id);
    const struct report_info *info = info_of(t->report);
    mk_rawf(o, "<section class=\"report\" id=\"report-%s\" aria-labelledby=\"report-%s-h\">\n", id,
            id);
    mk_rawf(o, "<h2 id=\"report-%s-h\">", id);
    mk_text(o, info ? info->title : t->report);
    mk_raw(o, "</h2>\n");
    if (info) {
        mk_raw(o, "<p class=\"lede\">");
        mk_text(o, info->question);
        mk_raw(o, "</p>\n");
    }
    /* the charts go into their own buffer: the wrapper is written only if any */
    lf_buf cb;
    lf_buf_init(&cb, 0);
    mk_out co = {.b = &cb, .st = LF_OK};
    size_t n = charts_write(&co, t, ctx);
    if (co.st != LF_OK && o->st == LF_OK)
        o->st = co.st;
    if (n && co.st == LF_OK) {
        mk_raw(o, "<div class=\"charts\">\n");
        if (o->st == LF_OK)
            o->st = lf_buf_add(o->b, cb.data, cb.len);
        mk_raw(o, "</div>\n");
    }
    lf_buf_release(&cb);
    table(o, t, id);
    if (t->nnotes) {
        mk_raw(o, "<ul class=\"notes\">\n");
        for (size_t i = 0; i < t->nnotes; i++) {
            mk_raw(o, "<li>");
            mk_text(o, t->notes[i]);
            mk_raw(o, "</li>\n");
        }
        mk_raw(o, "</ul>\n");
    }
    mk_raw(o, "</section>\n");
    return o->st;
}

/* ---- headline strip ------------------------------------------------------------------------ */

typedef enum { UP_GOOD, DOWN_GOOD, NEUTRAL } polarity;

static const lf_table *find(const lf_html_page *p, const char *name, bool prev)
{
    for (size_t i = 0; i < p->ntables; i++)
        if (p->tables[i] && p->tables[i]->report && strcmp(p->tables[i]->report, name) == 0)
            return prev ? (p->prev ? p->prev[i] : NULL) : p->tables[i];
    return NULL;
}

/* A previous value is compared only when it rests on at least PREV_MIN_BASE events
 * (its own count, or the count its rate is taken over) and the previous period holds
 * at least PREV_MIN_SHARE of the current period's new leads: otherwise the store's
 * data barely reaches into it (a data set that begins late in the previous period)
 * and a change such as +3505.6% would say nothing about the business. */
#define PREV_MIN_BASE 20.0
#define PREV_MIN_SHARE 0.10

/* The change line of a card: rates in percentage points, other values relative. */
static void change(mk_out *o, double cur, double prev, lf_col_type type, polarity pol)
{
    char pv[MK_NUM_MAX];
    mk_fmt_value(prev, type, pv, sizeof pv);
    if (!isfinite(cur) || !isfinite(prev) || (type != LF_COL_RATE && prev == 0)) {
        mk_raw(o, "<p class=\"chg neutral\">previous period: ");
        mk_text(o, pv);
        mk_raw(o, "</p>\n");
        return;
    }
    double d = type == LF_COL_RATE ? (cur - prev) * 100.0 : (cur / prev - 1.0) * 100.0;
    bool flat = fabs(d) < 0.05;
    const char *cls = flat || pol == NEUTRAL        ? "neutral"
                      : (d > 0) == (pol == UP_GOOD) ? "good"
                                                    : "bad";
    mk_rawf(o, "<p class=\"chg %s\">", cls);
    if (flat)
        mk_raw(o, "= no change");
    else
        mk_rawf(o, "%s %s%.1f%s", d > 0 ? "\xe2\x96\xb2" : "\xe2\x96\xbc",
                d > 0 ? "+" : "\xe2\x88\x92", fabs(d), type == LF_COL_RATE ? " pts" : "%");
    mk_raw(o, " vs previous period (");
    mk_text(o, pv);
    mk_raw(o, ")</p>\n");
}

typedef struct card_spec {
    const char *id, *label;
    double cur, prev;
    double base;       /* the count the previous value rests on (NAN = unknown) */
    bool small;        /* the previous period as a whole is too small to compare */
    lf_col_type type;
    polarity pol;
    bool has_prev;     /* write the change line */
    const char *value; /* overrides the formatted cur */
    const char *sub;   /* a line under the value (text) */
    const char *bench; /* the literature benchmark (text) */
    const char *missing; /* the figure's input was never imported: why (text) */
} card_spec;

static void card(mk_out *o, const card_spec *c)
{
    if (c->missing) { /* SPEC §7: shown as missing, never as a real-looking 0 */
        mk_rawf(o, "<div class=\"card\" id=\"kpi-%s\">\n<h3>", c->id);
        mk_text(o, c->label);
        mk_raw(o, "</h3>\n<p class=\"kpi\">" MK_NULL_MARK "</p>\n<p class=\"sub\">");
        mk_text(o, c->missing);
        mk_raw(o, "</p>\n");
        if (c->bench) {
            mk_raw(o, "<p class=\"bench\">");
            mk_text(o, c->bench);
            mk_raw(o, "</p>\n");
        }
        mk_raw(o, "</div>\n");
        return;
    }
    char v[MK_NUM_MAX];
    mk_fmt_value(c->cur, c->type, v, sizeof v);
    mk_rawf(o, "<div class=\"card\" id=\"kpi-%s\">\n<h3>", c->id);
    mk_text(o, c->label);
    /* a verdict in words ("On pace") is set smaller than a number */
    mk_raw(o, c->value && !isfinite(c->cur) ? "</h3>\n<p class=\"kpi word\">"
                                            : "</h3>\n<p class=\"kpi\">");
    mk_text(o, c->value ? c->value : v);
    mk_raw(o, "</p>\n");
    if (c->sub) {
        mk_raw(o, "<p class=\"sub\">");
        mk_text(o, c->sub);
        mk_raw(o, "</p>\n");
    }
    if (c->has_prev && (c->small || !(c->base >= PREV_MIN_BASE)))
        mk_raw(o, "<p class=\"chg neutral\">previous period too small to compare</p>\n");
    else if (c->has_prev)
        change(o, c->cur, c->prev, c->type, c->pol);
    if (c->bench) {
        mk_raw(o, "<p class=\"bench\">");
        mk_text(o, c->bench);
        mk_raw(o, "</p>\n");
    }
    mk_raw(o, "</div>\n");
}

/* Formats v like a table cell of the given type into buf. */
static const char *val(double v, lf_col_type type, char *buf, size_t size)
{
    mk_fmt_value(v, type, buf, size);
    return buf;
}

static void headline(mk_out *o, const lf_html_page *p)
{
    const lf_table *mql = find(p, "mql", false), *mql0 = find(p, "mql", true);
    const lf_table *sql = find(p, "sql", false), *sql0 = find(p, "sql", true);
    const lf_table *vel = find(p, "velocity", false), *vel0 = find(p, "velocity", true);
    const lf_table *spd = find(p, "speed", false), *spd0 = find(p, "speed", true);
    const lf_table *cost = find(p, "cost", false), *cost0 = find(p, "cost", true);
    const lf_table *cus = find(p, "customers", false), *cus0 = find(p, "customers", true);
    const lf_table *biz = find(p, "bizday", false);
    char a[MK_NUM_MAX], b[MK_NUM_MAX], c[MK_NUM_MAX], sub[512];
    /* the previous period as a whole: does the data reach into it? */
    double leads = charts_num(mql, -1, "leads"), leads0 = charts_num(mql0, -1, "leads");
    bool small = isfinite(leads) && leads > 0 && !(leads0 >= PREV_MIN_SHARE * leads);

    mk_raw(o, "<section class=\"headline\" id=\"headline\" aria-labelledby=\"headline-h\">\n"
              "<h2 id=\"headline-h\">Headline</h2>\n<div class=\"cards\">\n");
    if (mql) {
        double goal = charts_num(mql, -1, "goal");
        if (isfinite(goal))
            snprintf(sub, sizeof sub, "MQLs handed to sales in the range; goal %s \xc2\xb7 %s attained",
                     val(goal, LF_COL_COUNT, a, sizeof a),
                     val(charts_num(mql, -1, "goal_attainment"), LF_COL_RATE, b, sizeof b));
        else
            snprintf(sub, sizeof sub, "MQLs handed to sales in the range; no MQL goal configured");
        card(o, &(card_spec){.id = "mqls",
                             .label = "MQLs vs goal",
                             .cur = charts_num(mql, -1, "mqls"),
                             .prev = charts_num(mql0, -1, "mqls"),
                             .base = charts_num(mql0, -1, "mqls"),
                             .small = small,
                             .type = LF_COL_COUNT,
                             .pol = UP_GOOD,
                             .has_prev = true,
                             .sub = sub});
    }
    if (biz) {
        const lf_object *pace = NULL;
        const char *month = NULL;
        for (size_t r = 0; r < biz->nrows && !pace; r++) {
            pace = charts_obj(biz, (long)r, "pacing");
            const lf_cell *l = &biz->cells[r * biz->ncols];
            month = l->kind == LF_CELL_TEXT ? l->text : NULL;
        }
        char label[64], value[64];
        snprintf(label, sizeof label, "Pace %s", pace && month ? month : "this month");
        if (pace) {
            double goal = charts_obj_num(pace, "goal"), proj = charts_obj_num(pace, "projected");
            double mtd = charts_obj_num(pace, "mtd"), el = charts_obj_num(pace, "bdays_elapsed");
            double left = charts_obj_num(pace, "bdays_left");
            char d[MK_NUM_MAX], e[MK_NUM_MAX];
            snprintf(value, sizeof value, "%s",
                     !isfinite(goal) ? MK_NULL_MARK
                     : mtd >= goal   ? "Goal reached"
                     : proj >= goal  ? "On pace"
                                     : "Behind pace");
            snprintf(
                sub, sizeof sub,
                "%s MQLs so far in %s of %s business days; projected %s against the "
                "goal of %s",
                val(mtd, LF_COL_COUNT, b, sizeof b), val(el, LF_COL_COUNT, c, sizeof c),
                val(isfinite(el) && isfinite(left) ? el + left : NAN, LF_COL_COUNT, d, sizeof d),
                val(proj, LF_COL_HOURS, a, sizeof a), /* hours: one decimal */
                isfinite(goal) ? val(goal, LF_COL_NUMBER, e, sizeof e) : "none");
        } else {
            snprintf(value, sizeof value, "%s", MK_NULL_MARK);
            snprintf(sub, sizeof sub, "the month of the report date is not in the range");
        }
        card(o, &(card_spec){.id = "pace", .label = label, .cur = NAN, .value = value, .sub = sub});
    }
    if (sql) {
        snprintf(sub, sizeof sub,
                 "of the MQLs handed over in the range that sales decided on, the share "
                 "accepted; %s still pending",
                 val(charts_num(sql, -1, "pending"), LF_COL_COUNT, a, sizeof a));
        card(o, &(card_spec){.id = "acceptance",
                             .label = "Acceptance rate",
                             .cur = charts_num(sql, -1, "acceptance_rate"),
                             .prev = charts_num(sql0, -1, "acceptance_rate"),
                             .base = charts_num(sql0, -1, "accepted") +
                                     charts_num(sql0, -1, "rejected"),
                             .small = small,
                             .type = LF_COL_RATE,
                             .pol = UP_GOOD,
                             .has_prev = true,
                             .sub = sub});
    }
    if (vel) {
        if (p->ctx.sla_text)
            snprintf(sub, sizeof sub,
                     "of the MQLs handed over in the range that sales decided on, the share "
                     "decided within the SLA (%.20s); %s overdue now",
                     p->ctx.sla_text,
                     val(charts_num(vel, -1, "overdue_pending"), LF_COL_COUNT, a, sizeof a));
        else
            snprintf(sub, sizeof sub, "no SLA configured (sla.accept_within)");
        card(o, &(card_spec){.id = "sla",
                             .label = "SLA compliance",
                             .cur = charts_num(vel, -1, "within_sla_rate"),
                             .prev = charts_num(vel0, -1, "within_sla_rate"),
                             .base = charts_num(vel0, -1, "decided"),
                             .small = small,
                             .type = LF_COL_RATE,
                             .pol = UP_GOOD,
                             .has_prev = true,
                             .sub = sub});
    }
    if (spd) {
        const char *target = p->ctx.target_text ? p->ctx.target_text : "the target";
        snprintf(sub, sizeof sub,
                 "of the MQLs handed over in the range, the share first contacted within "
                 "%.20s; median %s h",
                 target, val(charts_num(spd, -1, "contact_median_h"), LF_COL_HOURS, a, sizeof a));
        /* a null count means its input was never imported (lf_report_mark_missing) */
        bool missing = !isfinite(charts_num(spd, -1, "contacted"));
        card(o, &(card_spec){.id = "speed",
                             .label = "Speed to lead",
                             .cur = charts_num(spd, -1, "within_target_rate"),
                             .prev = charts_num(spd0, -1, "within_target_rate"),
                             .base = charts_num(spd0, -1, "handoffs"),
                             .small = small,
                             .type = LF_COL_RATE,
                             .pol = UP_GOOD,
                             .has_prev = true,
                             .sub = sub,
                             .missing = missing ? "missing: no MQL has a contacted event; "
                                                  "import the contacted events to measure it"
                                                : NULL,
                             .bench =
                                 "Benchmark: contact within 1 hour \xe2\x80\x94 only 37% of "
                                 "companies manage it; those that do are about 7\xc3\x97 likelier "
                                 "to reach a decision maker."});
    }
    if (cost) {
        snprintf(sub, sizeof sub,
                 "spend in the range / leads that entered SQL in it; with the spend %s days "
                 "earlier (lagged): %s",
                 val(charts_num(cost, -1, "lag_days"), LF_COL_NUMBER, a, sizeof a),
                 val(charts_num(cost, -1, "lagged_cost_per_sql"), LF_COL_MONEY, b, sizeof b));
        bool missing = !isfinite(charts_num(cost, -1, "cost"));
        card(o, &(card_spec){.id = "cost",
                             .label = "Cost per SQL",
                             .cur = charts_num(cost, -1, "cost_per_sql"),
                             .prev = charts_num(cost0, -1, "cost_per_sql"),
                             .base = charts_num(cost0, -1, "sqls"),
                             .small = small,
                             .type = LF_COL_MONEY,
                             .pol = DOWN_GOOD,
                             .has_prev = true,
                             .sub = sub,
                             .missing = missing ? "missing: no spend has been imported; import "
                                                  "it to see what an SQL costs"
                                                : NULL});
    }
    if (cus) {
        snprintf(sub, sizeof sub, "%s of the %s customers won in the range came from marketing",
                 val(charts_num(cus, -1, "marketing_sourced"), LF_COL_COUNT, a, sizeof a),
                 val(charts_num(cus, -1, "customers"), LF_COL_COUNT, b, sizeof b));
        card(o, &(card_spec){.id = "marketing",
                             .label = "Marketing-sourced customers",
                             .cur = charts_num(cus, -1, "marketing_sourced_rate"),
                             .prev = charts_num(cus0, -1, "marketing_sourced_rate"),
                             .base = charts_num(cus0, -1, "customers"),
                             .small = small,
                             .type = LF_COL_RATE,
                             .pol = NEUTRAL,
                             .has_prev = true,
                             .sub = sub,
                             .bench = "Benchmark: 20\xe2\x80\x93"
                                      "40% with field sales, 40\xe2\x80\x93"
                                      "80% with inside sales and lead-focused marketing."});
        card(o, &(card_spec){.id = "lead-to-customer",
                             .label = "Lead to customer",
                             .cur = charts_num(cus, -1, "lead_to_customer"),
                             .prev = charts_num(cus0, -1, "lead_to_customer"),
                             .base = leads0,
                             .small = small,
                             .type = LF_COL_RATE,
                             .pol = UP_GOOD,
                             .has_prev = true,
                             .sub = "of the leads created in the range, the share that are "
                                    "customers by the report date",
                             .bench = "Benchmark: typically 2\xe2\x80\x93"
                                      "5%."});
    }
    mk_raw(o, "</div>\n");
    char f[16], t[16], as_of[40];
    lf_date_format(p->prev_from_day, f, sizeof f);
    lf_date_format(p->prev_to_day - 1, t, sizeof t);
    fmt_instant(p->prev_as_of, as_of, sizeof as_of);
    mk_rawf(o,
            "<p class=\"footnote\">Totals over the whole range. \xe2\x80\x9cPrevious "
            "period\xe2\x80\x9d is the period of the same length just before the range, "
            "%s \xe2\x80\x93 %s, computed as of %s (the report date moved back by the same "
            "length), so both periods are measured at the same point; rates change in "
            "percentage points, other figures in percent. A change is shown only when the "
            "previous figure rests on at least %d events and the previous period holds at "
            "least %d%% as many new leads as this one; otherwise the previous period is too "
            "small to compare.</p>\n</section>\n",
            f, t, as_of, (int)PREV_MIN_BASE, (int)(PREV_MIN_SHARE * 100 + 0.5));
}

/* ---- page --------------------------------------------------------------------------------- */

typedef struct slot {
    const char *name;
    lf_buf buf;
} slot;

/* Copies the template to out with every {{name}} replaced by its slot. */
static lf_status fill(const char *tpl, size_t len, slot *slots, size_t nslots, lf_buf *out,
                      lf_error *err)
{
    size_t i = 0;
    while (i < len) {
        const char *open = strstr(tpl + i, "{{");
        if (!open) {
            lf_status st = lf_buf_add(out, tpl + i, len - i);
            return st == LF_OK ? LF_OK : render_buf_error(st, err, "html");
        }
        size_t at = (size_t)(open - tpl);
        const char *close = strstr(open + 2, "}}");
        if (!close)
            return lf_errorf(err, LF_EINPUT, "report template: unclosed '{{'");
        size_t nlen = (size_t)(close - open - 2);
        slot *s = NULL;
        for (size_t k = 0; k < nslots && !s; k++)
            if (strlen(slots[k].name) == nlen && strncmp(slots[k].name, open + 2, nlen) == 0)
                s = &slots[k];
        if (!s)
            return lf_errorf(err, LF_EINPUT, "report template: unknown slot '%.*s'",
                             (int)(nlen < 40 ? nlen : 40), open + 2);
        lf_status st = lf_buf_add(out, tpl + i, at - i);
        if (st == LF_OK)
            st = lf_buf_add(out, s->buf.data ? s->buf.data : "", s->buf.len);
        if (st != LF_OK)
            return render_buf_error(st, err, "html");
        i = (size_t)(close - tpl) + 2;
    }
    return LF_OK;
}

enum {
    S_VERSION,
    S_TITLE,
    S_CSS,
    S_HEADING,
    S_META,
    S_NAV,
    S_NOTES,
    S_HEADLINE,
    S_REPORTS,
    S_FOOTER,
    S_N
};

lf_status lf_html_render_page(const lf_html_page *page, lf_buf *out, lf_error *err)
{
    if (!page || !page->ntables || !page->tables[0])
        return lf_errorf(err, LF_EINPUT, "no table to render");
    const lf_table *first = page->tables[0];
    bool single = page->ntables == 1;
    const struct report_info *info = info_of(first->report);
    slot s[S_N] = {{"version", {0}}, {"title", {0}},    {"css", {0}},
                   {"heading", {0}}, {"meta", {0}},     {"nav", {0}},
                   {"notes", {0}},   {"headline", {0}}, {"reports", {0}},
                   {"footer", {0}}};
    mk_out o[S_N];
    for (size_t k = 0; k < S_N; k++) {
        lf_buf_init(&s[k].buf, 0);
        o[k] = (mk_out){.b = &s[k].buf, .st = LF_OK};
    }
    char from[16], to[16], as_of[40];
    lf_date_format(first->from_day, from, sizeof from);
    lf_date_format(first->to_day - 1, to, sizeof to);
    fmt_instant(first->as_of, as_of, sizeof as_of);
    const char *heading = single ? (info ? info->title : first->report) : "Marketing funnel report";

    mk_text(&o[S_VERSION], LF_VERSION);
    mk_text(&o[S_TITLE], heading);
    mk_rawf(&o[S_TITLE], " \xe2\x80\x94 %s to %s \xe2\x80\x94 leadflow", from, to);
    if (o[S_CSS].st == LF_OK)
        o[S_CSS].st =
            lf_buf_add(&s[S_CSS].buf, lf_asset_report_report_css, lf_asset_report_report_css_len);
    mk_text(&o[S_HEADING], heading);
    mk_rawf(&o[S_META], "%s \xe2\x80\x93 %s", from, to);
    if (first->by && (!single || charts_col(first, "period") == 0)) {
        mk_raw(&o[S_META], " \xc2\xb7 by ");
        mk_text(&o[S_META], first->by); /* table text: through mk_text like all of it */
    }
    mk_rawf(&o[S_META], " \xc2\xb7 as of %s", as_of);
    if (first->tz_name) {
        mk_raw(&o[S_META], " (times in ");
        mk_text(&o[S_META], first->tz_name);
        mk_raw(&o[S_META], ")");
    }
    if (!single) {
        mk_raw(&o[S_NAV], "<nav aria-label=\"Reports\"><ul>\n");
        if (page->prev)
            mk_raw(&o[S_NAV], "<li><a href=\"#headline\">Headline</a></li>\n");
        for (size_t i = 0; i < page->ntables; i++) {
            if (!page->tables[i])
                continue;
            char id[48];
            id_of(page->tables[i]->report, id, sizeof id);
            const struct report_info *ri = info_of(page->tables[i]->report);
            mk_rawf(&o[S_NAV], "<li><a href=\"#report-%s\">", id);
            mk_text(&o[S_NAV], ri ? ri->title : page->tables[i]->report);
            mk_raw(&o[S_NAV], "</a></li>\n");
        }
        mk_raw(&o[S_NAV], "</ul></nav>");
    }
    if (page->nnotes) {
        /* what the reader must know before reading any number (an empty range) */
        mk_raw(&o[S_NOTES], "<div class=\"page-notes\" role=\"note\">\n");
        for (size_t i = 0; i < page->nnotes; i++) {
            mk_raw(&o[S_NOTES], "<p>");
            mk_text(&o[S_NOTES], page->notes[i]);
            mk_raw(&o[S_NOTES], "</p>\n");
        }
        mk_raw(&o[S_NOTES], "</div>\n");
    }
    if (page->prev)
        headline(&o[S_HEADLINE], page);
    for (size_t i = 0; i < page->ntables; i++)
        if (page->tables[i])
            section(&o[S_REPORTS], page->tables[i], &page->ctx);
    mk_rawf(&o[S_FOOTER],
            "<p>Made by leadflow %s from the workspace's data. The page is self-contained: it "
            "loads nothing from the network and runs no scripts.</p>\n"
            "<p>Rates are fractions of the denominator named in each column; an en dash, "
            "\xe2\x80\x93, means a figure cannot be computed: its denominator is zero, or its "
            "input was never imported (the notes under the table say which); money is in the "
            "currency of the "
            "imported spend and revenue; hours are calendar hours except SLA response times, "
            "which are on the SLA clock.</p>\n"
            "<p>Benchmarks from the literature: first contact within one hour (only 37%% of "
            "companies manage it; those that do are about 7\xc3\x97 likelier to reach a "
            "decision maker); lead-to-customer conversion typically 2\xe2\x80\x93"
            "5%%; "
            "marketing-sourced customers 20\xe2\x80\x93"
            "40%% (field sales) or "
            "40\xe2\x80\x93"
            "80%% (inside sales with lead-focused marketing).</p>",
            LF_VERSION);

    lf_status st = LF_OK;
    for (size_t k = 0; k < S_N && st == LF_OK; k++)
        if (o[k].st != LF_OK)
            st = render_buf_error(o[k].st, err, "html");
    if (st == LF_OK)
        st = fill((const char *)lf_asset_report_report_html, lf_asset_report_report_html_len, s,
                  S_N, out, err);
    for (size_t k = 0; k < S_N; k++)
        lf_buf_release(&s[k].buf);
    return st;
}

lf_status lf_render_html(const lf_table *t, lf_buf *out, lf_error *err)
{
    const lf_table *tables[1] = {t};
    lf_html_page page = {.tables = tables, .ntables = 1, .ctx = lf_html_context_none()};
    return lf_html_render_page(&page, out, err);
}
