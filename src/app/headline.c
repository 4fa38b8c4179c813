/*
 * headline.c — the few numbers a revenue leader reads first, shown by `leadflow
 * demo` in the terminal (the HTML page's headline strip is html.c's own). Every
 * number is read from a report table (mostly its `total` row), the same tables the
 * demo's report.html is rendered from, so the headline can never disagree with the
 * reports. The lines are appended to a buffer: the front end prints them.
 *
 * Place in the flow: reports (tables) -> [headline] -> text for a terminal; numbers
 * are written as the terminal table writes them (render_fmt_number), and data text
 * (persona and channel names) is escaped for the terminal (lf_app_add_term_text).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "leadflow/app_report.h"
#include "leadflow/text.h"
#include "render/render.h"
#include "report_run.h"

/* The headline being written: appends stop at the first failure, kept in st. */
typedef struct headline {
    lf_buf *out;
    lf_status st;
} headline;

static void __attribute__((format(printf, 2, 3))) put(headline *h, const char *fmt, ...)
{
    if (h->st != LF_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    h->st = lf_buf_vaddf(h->out, fmt, ap);
    va_end(ap);
}

lf_status lf_app_add_term_text(lf_buf *out, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    lf_status st = LF_OK;
    for (size_t i = 0; st == LF_OK && i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c >= 0x80 && (i + len > n || !lf_utf8_valid(s + i, len, NULL)))
            len = 0; /* not a valid sequence: escape this byte */
        if (len > 1) {
            st = lf_buf_add(out, s + i, len);
            i += len;
            continue;
        }
        if (c == '\n')
            st = lf_buf_adds(out, "\\n");
        else if (c == '\r')
            st = lf_buf_adds(out, "\\r");
        else if (c == '\\')
            st = lf_buf_adds(out, "\\\\");
        else if (c < 0x20 || c >= 0x7f)
            st = lf_buf_addf(out, "\\x%02x", c);
        else
            st = lf_buf_addc(out, (char)c);
        i++;
    }
    return st;
}

/* The total-row value of column `name` (NAN if null or absent). */
static double total(const lf_table *t, const char *name)
{
    if (!t || !t->has_total)
        return NAN;
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return t->total[c].kind == LF_CELL_NUM ? t->total[c].num : NAN;
    return NAN;
}

/* The value of column `name` in the row whose first cell is `label`. */
static double cell(const lf_table *t, const char *label, const char *name)
{
    for (size_t r = 0; t && r < t->nrows; r++) {
        const lf_cell *first = &t->cells[r * t->ncols];
        if (first->kind != LF_CELL_TEXT || strcmp(first->text, label) != 0)
            continue;
        for (size_t c = 0; c < t->ncols; c++)
            if (strcmp(t->cols[c].name, name) == 0)
                return t->cells[r * t->ncols + c].kind == LF_CELL_NUM
                           ? t->cells[r * t->ncols + c].num
                           : NAN;
    }
    return NAN;
}

/* Numbers as the terminal table shows them (render_fmt_number: thousands separators,
 * money to cents, rates as percentages); "–" for NAN. buf >= RENDER_REAL_MAX. */
static const char *shown(double v, lf_col_type type, char *buf, size_t n)
{
    if (isnan(v))
        return "–";
    render_fmt_number(v, type, buf, n);
    return buf;
}

static const char *count(double v, char *buf, size_t n)
{
    return shown(v, LF_COL_COUNT, buf, n);
}

static const char *money(double v, char *buf, size_t n)
{
    return shown(v, LF_COL_MONEY, buf, n);
}

static const char *pct(double v, char *buf, size_t n)
{
    return shown(v, LF_COL_RATE, buf, n);
}

static const char *hours(double v, char *buf, size_t n)
{
    if (isnan(v))
        return "–";
    snprintf(buf, n, "%.1f h", v);
    return buf;
}

static int col_of(const lf_table *t, const char *name)
{
    for (size_t c = 0; t && c < t->ncols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return (int)c;
    return -1;
}

/* Value of key in an object cell (NAN if absent or null). */
static double obj_num(const lf_object *o, const char *key)
{
    for (size_t i = 0; o && i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return o->vals[i].kind == LF_CELL_NUM ? o->vals[i].num : NAN;
    return NAN;
}

/* The pacing object of the bizday table (the row of the as-of month), or NULL. */
static const lf_object *pacing(const lf_table *t)
{
    int c = col_of(t, "pacing");
    for (size_t r = 0; c >= 0 && r < t->nrows; r++) {
        const lf_cell *x = &t->cells[r * t->ncols + (size_t)c];
        if (x->kind == LF_CELL_OBJ)
            return x->obj;
    }
    return NULL;
}

/* "name N (rate)" for the up to 3 rows of a dimension table with the
 * most of column `by`, best first; `rate` is a ratio column, shown as a percentage. */
static void top_rows(headline *h, const lf_table *t, const char *by, const char *rate)
{
    int cb = col_of(t, by), cr = col_of(t, rate);
    if (!t || cb < 0 || cr < 0)
        return;
    size_t best[3];
    size_t nbest = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const lf_cell *v = &t->cells[r * t->ncols + (size_t)cb];
        if (v->kind != LF_CELL_NUM || v->num <= 0)
            continue;
        size_t k = nbest < 3 ? nbest++ : 3;
        while (k > 0 && t->cells[best[k - 1] * t->ncols + (size_t)cb].num < v->num) {
            if (k < 3)
                best[k] = best[k - 1];
            k--;
        }
        if (k < 3)
            best[k] = r;
    }
    for (size_t i = 0; i < nbest; i++) {
        const lf_cell *name = &t->cells[best[i] * t->ncols];
        const lf_cell *v = &t->cells[best[i] * t->ncols + (size_t)cb];
        const lf_cell *x = &t->cells[best[i] * t->ncols + (size_t)cr];
        char b1[RENDER_REAL_MAX], b2[RENDER_REAL_MAX];
        put(h, "%s", i ? "; " : "");
        if (h->st == LF_OK)
            h->st = lf_app_add_term_text(h->out, name->kind == LF_CELL_TEXT ? name->text : "");
        put(h, " %s (%s)", shown(v->num, t->cols[cb].type, b1, sizeof b1),
            x->kind == LF_CELL_NUM ? pct(x->num, b2, sizeof b2) : "–");
    }
}

static const lf_table *find(const report_run *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->t[i] && r->t[i]->report && strcmp(r->t[i]->report, name) == 0)
            return r->t[i];
    return NULL;
}

/* The range, then the funnel: each figure with its own definition. The first two
 * lines follow the leads created in the range (a count and its own share), the third
 * counts what happened in the range, whoever it happened to. */
static void funnel_lines(headline *h, const lf_report_args *a, const report_run *r)
{
    const lf_table *funnel = find(r, "funnel"), *mql = find(r, "mql"), *sql = find(r, "sql");
    char from[16], to[16], b1[RENDER_REAL_MAX], b2[RENDER_REAL_MAX], b3[RENDER_REAL_MAX],
        b4[RENDER_REAL_MAX];
    lf_date_format(a->from_day, from, sizeof from);
    lf_date_format(a->to_day, to, sizeof to);
    put(h, "\nheadline, %s to %s (12 months to this month)\n", from, to);
    put(h, "  leads created %s; of them so far %s reached MQL or beyond (%s),\n",
        count(cell(funnel, "lead", "reached"), b1, sizeof b1),
        count(cell(funnel, "mql", "reached"), b2, sizeof b2),
        pct(cell(funnel, "mql", "conversion_from_lead"), b3, sizeof b3));
    put(h, "  %s SQL or beyond (%s), %s became customers (%s)\n",
        count(cell(funnel, "sql", "reached"), b1, sizeof b1),
        pct(cell(funnel, "sql", "conversion_from_lead"), b2, sizeof b2),
        count(cell(funnel, "customer", "reached"), b3, sizeof b3),
        pct(cell(funnel, "customer", "conversion_from_lead"), b4, sizeof b4));
    put(h, "  in the range: %s MQLs handed to sales, %s SQL entries, %s customers won\n",
        count(total(mql, "mqls"), b1, sizeof b1), count(total(sql, "sqls"), b2, sizeof b2),
        count(cell(funnel, "customer", "in_flow"), b3, sizeof b3));
    put(h, "  MQLs against goal: %s of %s (%s)\n", count(total(mql, "mqls"), b1, sizeof b1),
        count(total(mql, "goal"), b2, sizeof b2), pct(total(mql, "goal_attainment"), b3, sizeof b3));
    put(h, "  acceptance rate %s of MQLs decided (%s of all MQLs); %s still pending\n",
        pct(total(sql, "acceptance_rate"), b1, sizeof b1), pct(total(sql, "mql_to_sql"), b2, sizeof b2),
        count(total(sql, "pending"), b3, sizeof b3));
}

/* The SLA and speed to lead. */
static void response_lines(headline *h, const lf_config *cfg, const report_run *r)
{
    const lf_table *vel = find(r, "velocity"), *speed = find(r, "speed");
    char b1[RENDER_REAL_MAX], b2[RENDER_REAL_MAX], b3[RENDER_REAL_MAX], b4[RENDER_REAL_MAX];
    if (cfg->has_sla)
        put(h, "  SLA %s: %s decided within it; median response %s, p90 %s; %s overdue now\n",
            cfg->sla.text, pct(total(vel, "within_sla_rate"), b1, sizeof b1),
            hours(total(vel, "response_median_h"), b2, sizeof b2),
            hours(total(vel, "response_p90_h"), b3, sizeof b3),
            count(total(vel, "overdue_pending"), b4, sizeof b4));
    /* a null count means its input was never imported (lf_report_mark_missing) */
    if (speed && isnan(total(speed, "contacted")))
        put(h, "  speed to lead: missing, no MQL has a contacted event (import the contacted\n"
               "  events to measure it)\n");
    else
        put(h, "  speed to lead: %s of MQLs contacted within %s (median %s; benchmark: only 37%% of\n"
               "  companies manage 1 h)\n",
            pct(total(speed, "within_target_rate"), b1, sizeof b1), cfg->speed_target.text,
            hours(total(speed, "contact_median_h"), b2, sizeof b2));
}

/* Cost per SQL and this month's pacing. */
static void cost_lines(headline *h, const report_run *r)
{
    const lf_table *cost = find(r, "cost"), *biz = find(r, "bizday");
    char b1[RENDER_REAL_MAX], b2[RENDER_REAL_MAX], b3[RENDER_REAL_MAX], b4[RENDER_REAL_MAX],
        b5[RENDER_REAL_MAX], b6[RENDER_REAL_MAX];
    if (cost && isnan(total(cost, "cost")))
        put(h, "  cost per SQL: missing, no spend has been imported (leadflow import costs FILE)\n");
    else
        put(h, "  cost per SQL: %s same-period, %s with spend shifted %s days earlier (lag); per\n"
               "  lead %s, per MQL %s; spend %s\n",
            money(total(cost, "cost_per_sql"), b1, sizeof b1),
            money(total(cost, "lagged_cost_per_sql"), b2, sizeof b2),
            count(total(cost, "lag_days"), b3, sizeof b3),
            money(total(cost, "cost_per_lead"), b4, sizeof b4),
            money(total(cost, "cost_per_mql"), b5, sizeof b5), money(total(cost, "cost"), b6, sizeof b6));
    const lf_object *p = pacing(biz);
    if (!p)
        return;
    double goal = obj_num(p, "goal"), proj = obj_num(p, "projected");
    put(h, "  this month: %s MQLs in %s of %s business days, projected %s against a goal of %s",
        count(obj_num(p, "mtd"), b1, sizeof b1), count(obj_num(p, "bdays_elapsed"), b2, sizeof b2),
        count(obj_num(p, "bdays_elapsed") + obj_num(p, "bdays_left"), b3, sizeof b3),
        count(proj, b4, sizeof b4), count(goal, b5, sizeof b5));
    double req = obj_num(p, "required_per_bday");
    if (!isnan(req) && req > 0) {
        snprintf(b6, sizeof b6, "%.1f", req);
        put(h, " (%s per business day needed)", b6);
    }
    put(h, "\n");
}

/* Customers, then the top personas and channels. */
static void customer_lines(headline *h, const report_run *r)
{
    const lf_table *persona = find(r, "persona"), *channel = find(r, "channel"),
                   *cust = find(r, "customers");
    char b1[RENDER_REAL_MAX], b2[RENDER_REAL_MAX], b3[RENDER_REAL_MAX], b4[RENDER_REAL_MAX];
    put(h, "  customers won: %s, marketing-sourced %s (benchmark 20-40%% field sales, 40-80%%\n"
           "  inside sales); lead to customer %s (benchmark 2-5%%); revenue %s\n",
        count(total(cust, "customers"), b1, sizeof b1),
        pct(total(cust, "marketing_sourced_rate"), b2, sizeof b2),
        pct(total(cust, "lead_to_customer"), b3, sizeof b3),
        cust && isnan(total(cust, "revenue")) ? "missing (no customer has an amount)"
                                               : money(total(cust, "revenue"), b4, sizeof b4));
    put(h, "  top personas by MQLs (acceptance rate):\n   ");
    top_rows(h, persona, "mqls", "acceptance_rate");
    put(h, "\n  top channels by revenue (ROI):\n   ");
    top_rows(h, channel, "revenue", "roi");
    put(h, "\n");
}

lf_status report_headline(const lf_config *cfg, const lf_report_args *a, const report_run *r,
                          lf_buf *out)
{
    headline h = {.out = out, .st = LF_OK};
    funnel_lines(&h, a, r);
    response_lines(&h, cfg, r);
    cost_lines(&h, r);
    customer_lines(&h, r);
    return h.st;
}
