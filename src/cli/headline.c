/*
 * headline.c — the few numbers a revenue leader reads first, printed by `leadflow
 * demo` (and later the top strip of the HTML report). Every number is read from the
 * `total` row of a report table, so the headline can never disagree with the reports.
 */
#include <math.h>
#include <string.h>

#include "cli.h"
#include "leadflow/report.h"
#include "leadflow/text.h"

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

static const char *count(double v, char *buf, size_t n)
{
    if (isnan(v))
        return "–";
    lf_fmt_count((long long)llround(v), buf, n);
    return buf;
}

static const char *pct(double v, char *buf, size_t n)
{
    if (isnan(v))
        return "–";
    snprintf(buf, n, "%.1f%%", v * 100);
    return buf;
}

static const char *hours(double v, char *buf, size_t n)
{
    if (isnan(v))
        return "–";
    snprintf(buf, n, "%.1f h", v);
    return buf;
}

static lf_table *run(const char *name, const lf_report_args *a)
{
    const lf_report_def *def = lf_report_find(name);
    lf_table *t = NULL;
    if (def && def->fn(a, &t, NULL) != LF_OK) {
        lf_table_free(t);
        t = NULL;
    }
    return t;
}

int cli_print_headline(const lf_config *cfg, const lf_dataset *ds, lf_time as_of)
{
    lf_report_args a = {.cfg = cfg, .ds = ds, .by = LF_BY_MONTH, .as_of = as_of};
    lf_default_range(cfg->tz, as_of, &a.from_day, &a.to_day);
    lf_table *funnel = run("funnel", &a), *mql = run("mql", &a), *sql = run("sql", &a),
             *vel = run("velocity", &a), *speed = run("speed", &a);
    char from[16], to[16], b1[32], b2[32], b3[32], b4[32], b5[32];
    lf_date_format(a.from_day, from, sizeof from);
    lf_date_format(a.to_day, to, sizeof to);
    printf("\nheadline, %s to %s (12 months to this month)\n", from, to);
    printf("  leads %s -> MQLs %s (%s of leads created reached MQL) -> SQLs %s -> customers %s\n",
           count(cell(funnel, "lead", "reached"), b1, sizeof b1),
           count(total(mql, "mqls"), b2, sizeof b2),
           pct(cell(funnel, "mql", "conversion_from_lead"), b3, sizeof b3),
           count(total(sql, "sqls"), b4, sizeof b4),
           count(cell(funnel, "customer", "in_flow"), b5, sizeof b5));
    printf("  MQLs against goal: %s of %s (%s)\n", count(total(mql, "mqls"), b1, sizeof b1),
           count(total(mql, "goal"), b2, sizeof b2), pct(total(mql, "goal_attainment"), b3, sizeof b3));
    printf("  acceptance rate (SQLs / MQLs decided): %s; MQL to SQL %s; %s still pending\n",
           pct(total(sql, "acceptance_rate"), b1, sizeof b1), pct(total(sql, "mql_to_sql"), b2, sizeof b2),
           count(total(sql, "pending"), b3, sizeof b3));
    if (cfg->has_sla)
        printf("  SLA %s: %s decided within it; median response %s, p90 %s; %s overdue now\n",
               cfg->sla.text, pct(total(vel, "within_sla_rate"), b1, sizeof b1),
               hours(total(vel, "response_median_h"), b2, sizeof b2),
               hours(total(vel, "response_p90_h"), b3, sizeof b3),
               count(total(vel, "overdue_pending"), b4, sizeof b4));
    printf("  speed to lead: %s of MQLs contacted within %s (median %s; benchmark: only 37%% of\n"
           "  companies manage 1 h)\n",
           pct(total(speed, "within_target_rate"), b1, sizeof b1), cfg->speed_target.text,
           hours(total(speed, "contact_median_h"), b2, sizeof b2));
    lf_table_free(funnel);
    lf_table_free(mql);
    lf_table_free(sql);
    lf_table_free(vel);
    lf_table_free(speed);
    return 0;
}
