/*
 * registry.c — the report registry: name -> function and presentation (DESIGN:
 * dispatch tables, not if-chains; reports carry their presentation as data). The CLI
 * (`leadflow report NAME`), the HTTP API and `report all` look reports up here; the
 * order of the table is the order of `report all` and of the list printed for an
 * unknown name. Adding a report = one presentation and one line here.
 *
 * Each report's presentation (present.h) says what its charts show and why — the
 * choices are also in docs/DECISIONS.md:
 *   funnel    bars of `reached` per path stage (the cohort of leads created in the
 *             range), the conversion to each next stage written between the bars
 *   mql       MQLs per period stacked by channel (the five largest, then "other"),
 *             the prorated goal as a mark on every period
 *   sql       acceptance rate and MQL-to-SQL per MQL cohort (lines, 0-100%), and
 *             rejected handoffs per period stacked by reason
 *   velocity  median response time per period (bars) with the p90 (behind) and the
 *             SLA line; handoffs per period by SLA outcome (stacked). The table holds
 *             median and p90, not every response time, so the spread is shown as
 *             median and p90 rather than as a histogram that would need more data
 *   speed     handoffs per period by first-contact outcome (stacked, the share
 *             within target on top), and the median time to first contact against
 *             the target (and the 1-hour benchmark when the target differs)
 *   cost      cost per SQL, same-period and lagged, as two lines
 *   bizday    leads and MQLs per business day per month; the month's pacing
 *   persona,  rates (acceptance, lead to customer, with the 2-5% benchmark band) and
 *   channel,  volumes per row as horizontal bars; channel also revenue against spend
 *   segment   (segment: persona's charts per value of the requested attribute)
 *   customers the marketing-sourced share per period over the 20-40% and 40-80%
 *             benchmark bands; customers per period by origin
 *   scoring   acceptance and win rate per score band
 * and the key figures of the headline (ordered over all reports by `order`).
 *
 * The registered function runs the report and attaches the presentation to the
 * table it returns, so every renderer finds it there.
 */
#include <string.h>

#include "leadflow/present.h"
#include "leadflow/report.h"
#include "report/report_util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DASH "\xe2\x80\x93" /* EN DASH */
#define BY_COHORT "{by} of MQL (cohort)"
#define LABELS LF_SERIES_LABELS

/* ---- funnel ------------------------------------------------------------------------ */

static const char *const funnel_path[] = {"lead", "mql", "sql", "opportunity", "customer", NULL};
static const lf_series_spec funnel_s[] = {{NULL, "reached", LF_SERIES_BAR, LF_BLUE, LABELS}};
static const lf_chart_spec funnel_charts[] = {{
    .shape = LF_CHART_HBARS,
    .rows = LF_ROWS_PICK,
    .pick = funnel_path,
    .title = "Funnel: how far the leads created in the range got",
    .desc = "Of {c0:reached:count} leads created in the range, {c1:reached:count} became MQLs, "
            "{c2:reached:count} SQLs, {c3:reached:count} opportunities and {c4:reached:count} "
            "customers by the report date.",
    .x_title = "leads that reached the stage (count)",
    .between = "\xe2\x86\x93 {n:conversion_from_previous:pct} reached {ncat} "
               "({n:conversion_from_lead:pct} of all leads)",
    .caption = "{?off|A stage counts every lead created in the range that reached it or a later "
               "stage by the report date. Off the main path (leads that entered the stage): "
               "{off}.|}",
    .series = funnel_s,
    .nseries = N(funnel_s),
    .unit = LF_UNIT_COUNT,
}};

/* ---- mql, sql ------------------------------------------------------------------------ */

static const lf_series_spec mql_s[] = {
    {NULL, "mqls_by_channel", LF_SERIES_KEYS, LF_BLUE, 0},
    {"MQLs", "mqls", LF_SERIES_BAR, LF_BLUE, LABELS | LF_SERIES_FALLBACK},
    {"goal (monthly goal prorated by business days)", "goal", LF_SERIES_MARK, LF_BLACK,
     LF_SERIES_IF_ANY},
};
static const lf_chart_spec mql_charts[] = {{
    .periods = true,
    .title = "MQLs per {by} against the goal",
    .desc = "MQLs per {by} {span}, by channel, with the goal of each {by}. Total "
            "{t:mqls:count} MQLs against a goal of {t:goal:count} ({t:goal_attainment:pct}).",
    .x_title = "{by} (MQL created)",
    .y_title = "MQLs (count)",
    .top = "{?finite r:mqls|{r:mqls:count}|}",
    .top_if_stacked = true,
    .series = mql_s,
    .nseries = N(mql_s),
    .unit = LF_UNIT_COUNT,
    .empty = "no MQLs in the range",
}};

static const lf_series_spec sql_rates[] = {
    {"acceptance rate: accepted / decided", "acceptance_rate", LF_SERIES_LINE, LF_BLUE, 0},
    {"MQL to SQL: accepted / all handoffs", "mql_to_sql", LF_SERIES_LINE, LF_ORANGE,
     LF_SERIES_DASHED},
};
static const lf_series_spec sql_reasons[] = {
    {NULL, "rejected_by_reason", LF_SERIES_KEYS, LF_BLUE, 0},
};
static const lf_chart_spec sql_charts[] = {
    {.periods = true,
     .title = "Acceptance rate per MQL cohort ({by})",
     .desc = "Share of handoffs accepted by sales, by the {by} the MQL was created, {span}. Over "
             "the range: acceptance rate {t:acceptance_rate:pct}, MQL to SQL {t:mql_to_sql:pct}.",
     .x_title = BY_COHORT,
     .y_title = "share of handoffs (%)",
     .series = sql_rates,
     .nseries = N(sql_rates),
     .unit = LF_UNIT_RATE,
     .max_hint = 1,
     .empty = "no handoffs in the range"},
    {.periods = true,
     .title = "Rejected handoffs per MQL cohort, by reason",
     .desc = "Handoffs rejected by sales per {by} of MQL, {span}, stacked by the five most "
             "frequent reasons; {t:rejected:count} rejected in total.",
     .x_title = BY_COHORT,
     .y_title = "rejected handoffs (count)",
     .top = "{?pos r:rejected|{r:rejected:count}|}",
     .series = sql_reasons,
     .nseries = N(sql_reasons),
     .unit = LF_UNIT_COUNT,
     .empty = "no rejections in the range"},
};

/* ---- velocity, speed, cost --------------------------------------------------------------- */

static const lf_series_spec vel_times[] = {
    {"90th percentile", "response_p90_h", LF_SERIES_BACK, LF_SKY, LABELS},
    {"median", "response_median_h", LF_SERIES_BAR, LF_BLUE, 0},
};
static const lf_ref_spec vel_sla[] = {
    {"finite ctx:sla_h", "ctx:sla_h", "ctx:sla_h",
     "SLA {sla} = {ctx:sla_h:short} {?sla_business|business hours|hours}", LF_VERMILLION},
};
static const lf_series_spec vel_outcomes[] = {
    {"decided within SLA", "within_sla", LF_SERIES_STACK, LF_GREEN, 0},
    {"decided late", "decided-within_sla", LF_SERIES_STACK, LF_VERMILLION, 0},
    {"pending, overdue", "overdue_pending", LF_SERIES_STACK, LF_ORANGE, 0},
    {"pending, not yet due", "handoffs-decided-overdue_pending?", LF_SERIES_STACK, LF_GREY, 0},
};
static const lf_chart_spec velocity_charts[] = {
    {.periods = true,
     .title = "Sales response time to MQLs, median and 90th percentile",
     .desc = "Hours from MQL to accept or reject decision, per {by} of MQL, {span}, against the "
             "SLA. Over the range: median {t:response_median_h:f1} h, 90th percentile "
             "{t:response_p90_h:f1} h.",
     .x_title = BY_COHORT,
     .y_title = "response time ({?sla_business|business hours, SLA clock|hours})",
     .series = vel_times,
     .nseries = N(vel_times),
     .refs = vel_sla,
     .nrefs = N(vel_sla),
     .unit = LF_UNIT_HOURS,
     .empty = "no decided handoffs in the range"},
    {.periods = true,
     .need_any = "within_sla", /* no SLA configured: the outcomes are null */
     .title = "Handoffs by SLA outcome (share decided within SLA on top)",
     .desc = "Handoffs per {by} of MQL, {span}: decided within the SLA, decided late, pending "
             "past the deadline, pending within it. Over the range {t:within_sla_rate:pct} of "
             "decided handoffs were within the SLA.",
     .x_title = BY_COHORT,
     .y_title = "handoffs (count)",
     .top = "{?finite r:within_sla_rate|{r:within_sla_rate:pct}|}",
     .series = vel_outcomes,
     .nseries = N(vel_outcomes),
     .unit = LF_UNIT_COUNT,
     .empty = "no handoffs in the range"},
};

/* a null count means the input was never imported (lf_report_mark_missing) */
#define NO_CONTACTS "missing: no MQL has a contacted event (none imported)"
static const lf_series_spec speed_outcomes[] = {
    {"contacted within {target}", "within_target", LF_SERIES_STACK, LF_GREEN, 0},
    {"contacted later", "contacted-within_target", LF_SERIES_STACK, LF_ORANGE, 0},
    {"not contacted", "handoffs-contacted", LF_SERIES_STACK, LF_GREY, 0},
};
static const lf_series_spec speed_median[] = {
    {"median time to first contact", "contact_median_h", LF_SERIES_BAR, LF_BLUE, LABELS},
};
static const lf_ref_spec speed_refs[] = {
    {"finite ctx:target_h", "ctx:target_h", "ctx:target_h", "target {target}", LF_VERMILLION},
    {"ne ctx:target_h 1", "1", "1", "benchmark 1 h", LF_BLACK},
};
static const lf_chart_spec speed_charts[] = {
    {.periods = true,
     .title = "Speed to lead: MQLs contacted within {target} (share on top)",
     .desc = "Handoffs per {by} of MQL, {span}, by first sales contact: within {target} of the "
             "MQL, later, or not yet. Over the range {t:within_target_rate:pct} were contacted "
             "within {target}; the literature benchmark is contact within one hour, which only "
             "37% of companies manage.",
     .x_title = BY_COHORT,
     .y_title = "handoffs (count)",
     .top = "{?finite r:within_target_rate|{r:within_target_rate:pct}|}",
     .series = speed_outcomes,
     .nseries = N(speed_outcomes),
     .unit = LF_UNIT_COUNT,
     .empty = "{?null t:contacted|" NO_CONTACTS "|no handoffs in the range}"},
    {.periods = true,
     .title = "Median time from MQL to first contact",
     .desc = "Median calendar hours from MQL to the first sales contact, per {by} of MQL, "
             "{span}, against the target {target}; over the range {t:contact_median_h:f1} h.",
     .x_title = BY_COHORT,
     .y_title = "hours to first contact (calendar, median)",
     .series = speed_median,
     .nseries = N(speed_median),
     .refs = speed_refs,
     .nrefs = N(speed_refs),
     .unit = LF_UNIT_HOURS,
     .empty = "{?null t:contacted|" NO_CONTACTS "|no contacted handoffs in the range}"},
};

static const lf_series_spec cost_s[] = {
    {"cost per SQL: spend of the same period", "cost_per_sql", LF_SERIES_LINE, LF_BLUE, 0},
    {"lagged: spend {t:lag_days:count} days earlier", "lagged_cost_per_sql", LF_SERIES_LINE,
     LF_ORANGE, LF_SERIES_DASHED},
};
static const lf_chart_spec cost_charts[] = {{
    .periods = true,
    .title = "Cost per SQL, same-period and lagged spend",
    .desc = "Spend divided by SQLs per {by}, {span}, once with the spend of the same period and "
            "once with spend shifted {t:lag_days:count} days earlier. Over the range: "
            "{t:cost_per_sql:money} and {t:lagged_cost_per_sql:money} lagged.",
    .x_title = "{by} (SQL entered)",
    .y_title = "cost per SQL (spend currency)",
    .caption = "Spend precedes results: the lagged line sets each period's SQLs against the "
               "spend that could have produced them.",
    .series = cost_s,
    .nseries = N(cost_s),
    .unit = LF_UNIT_MONEY,
    .empty = "{?finite t:cost|no SQLs with spend in the range|missing: no spend has been "
             "imported}",
}};

/* ---- bizday ---------------------------------------------------------------------------- */

static const lf_series_spec bizday_s[] = {
    {"leads per business day", "leads_per_bday", LF_SERIES_BAR, LF_BLUE, LABELS},
    {"MQLs per business day", "mqls_per_bday", LF_SERIES_BAR, LF_ORANGE, LABELS},
};
static const lf_cat_spec pacing_cats[] = {
    {"MQLs so far", "o:mtd",
     "{o:bdays_elapsed:count} of {o:bdays_elapsed+bdays_left:count} business days"},
    {"projected", "o:projected", "at this pace"},
};
static const lf_series_spec pacing_s[] = {{NULL, NULL, LF_SERIES_BAR, LF_BLUE, LABELS}};
static const lf_ref_spec pacing_goal[] = {
    {"finite o:goal", "o:goal", "o:goal", "goal {o:goal:count}", LF_BLACK},
};
static const lf_chart_spec bizday_charts[] = {
    {.periods = true,
     .title = "Leads and MQLs per business day, month over month",
     .desc = "Leads and MQLs divided by the business days of each month, {span}; over the "
             "range {t:leads_per_bday:f2} leads and {t:mqls_per_bday:f2} MQLs per business day.",
     .x_title = "month",
     .y_title = "per business day",
     .series = bizday_s,
     .nseries = N(bizday_s),
     .unit = LF_UNIT_NUMBER,
     .empty = "no leads in the range"},
    /* the pacing of the month that contains as-of */
    {.shape = LF_CHART_HBARS,
     .rows = LF_ROWS_OBJECT,
     .object = "pacing",
     .cats = pacing_cats,
     .ncats = N(pacing_cats),
     .title = "Pacing in {cat}: MQLs so far and projected against the goal",
     .desc = "{o:mtd:count} MQLs so far after {o:bdays_elapsed:count} business days; projected "
             "{o:projected:f1} for the month against a goal of {o:goal:count} "
             "({?ge o:projected o:goal|on pace|behind pace}).",
     .x_title = "MQLs in the month (count)",
     .caption = "{?null o:goal|No goal is configured for this month.|{?ge o:mtd o:goal|Goal "
                "reached: {o:mtd:count} MQLs of {o:goal:count} so far.|{?ge o:projected "
                "o:goal|On pace|Behind pace}: {o:required_per_bday:f2-} MQLs per business day "
                "needed in the {o:bdays_left:count} left.}}",
     .series = pacing_s,
     .nseries = N(pacing_s),
     .refs = pacing_goal,
     .nrefs = N(pacing_goal),
     .unit = LF_UNIT_NUMBER},
};

/* ---- persona, channel ------------------------------------------------------------------- */

#define DIM_ROWS .rows = LF_ROWS_TOP, .top_by = "leads", .max_rows = 12
#define DIM_CAPTION                                                                            \
    "{?cut|The {max_rows} {what}s with the most leads; all {nrows} are in the table.|}"
static const lf_series_spec dim_rates[] = {
    {"acceptance rate (accepted / decided MQLs)", "acceptance_rate", LF_SERIES_BAR, LF_BLUE,
     LABELS},
    {"lead to customer (cohort)", "lead_to_customer", LF_SERIES_BAR, LF_ORANGE, LABELS},
};
static const lf_ref_spec dim_band[] = {
    {NULL, "0.02", "0.05", "typical lead to customer: 2" DASH "5%", LF_GREEN},
};
static const lf_series_spec dim_volumes[] = {
    {"leads", "leads", LF_SERIES_BAR, LF_BLUE, LABELS},
    {"MQLs", "mqls", LF_SERIES_BAR, LF_ORANGE, LABELS},
    {"SQLs", "sqls", LF_SERIES_BAR, LF_GREEN, LABELS},
    {"customers", "customers", LF_SERIES_BAR, LF_PURPLE, LABELS},
};
static const lf_series_spec dim_money[] = {
    {"revenue won", "revenue", LF_SERIES_BAR, LF_GREEN, LABELS},
    {"spend", "cost", LF_SERIES_BAR, LF_VERMILLION, LABELS},
};
/* persona shows the first two, channel all three */
static const lf_chart_spec dim_charts[] = {
    {.shape = LF_CHART_HBARS,
     DIM_ROWS,
     .title = "Conversion by {what}",
     .desc = "Acceptance rate and lead-to-customer rate per {what} over the range; in total "
             "{t:acceptance_rate:pct} and {t:lead_to_customer:pct} (typical lead to customer: "
             "2 to 5%).",
     .x_title = "rate (%)",
     .note = "{r:leads:count} leads",
     .caption = DIM_CAPTION,
     .series = dim_rates,
     .nseries = N(dim_rates),
     .refs = dim_band,
     .nrefs = N(dim_band),
     .unit = LF_UNIT_RATE,
     .max_hint = 1,
     .empty = "nothing in the range"},
    {.shape = LF_CHART_HBARS,
     DIM_ROWS,
     .title = "Volume by {what}: leads, MQLs, SQLs, customers",
     .desc = "Leads created, MQLs, SQLs and customers won per {what} over the range.",
     .x_title = "count in the range",
     .caption = DIM_CAPTION,
     .series = dim_volumes,
     .nseries = N(dim_volumes),
     .unit = LF_UNIT_COUNT,
     .empty = "nothing in the range"},
    {.shape = LF_CHART_HBARS,
     DIM_ROWS,
     .title = "Revenue won and spend by {what}",
     .desc = "{?finite t:cost|Revenue won and marketing spend per {what} over the range; in "
             "total {t:revenue:money} revenue against {t:cost:money} spend.|Revenue won per "
             "{what} over the range, {t:revenue:money} in total; spend is missing: none has "
             "been imported.}",
     .x_title = "amount (spend currency)",
     .note = "ROI {r:roi:pct}",
     .caption = DIM_CAPTION,
     .series = dim_money,
     .nseries = N(dim_money),
     .unit = LF_UNIT_MONEY,
     .empty = "no revenue or spend in the range"},
};

/* ---- customers, scoring ------------------------------------------------------------------ */

static const lf_series_spec cus_share[] = {
    {"marketing-sourced share of new customers", "marketing_sourced_rate", LF_SERIES_LINE,
     LF_BLUE, LABELS},
};
static const lf_ref_spec cus_bands[] = {
    {NULL, "0.2", "0.4", "benchmark 20" DASH "40% (field sales)", LF_ORANGE},
    {NULL, "0.4", "0.8", "benchmark 40" DASH "80% (inside sales)", LF_GREEN},
};
static const lf_series_spec cus_origin[] = {
    {"marketing-sourced", "marketing_sourced", LF_SERIES_STACK, LF_BLUE, 0},
    {"sales-sourced", "customers-marketing_sourced", LF_SERIES_STACK, LF_ORANGE, 0},
};
static const lf_chart_spec customers_charts[] = {
    {.periods = true,
     .title = "Marketing-sourced share of new customers",
     .desc = "Share of the customers won in each {by}, {span}, whose origin is marketing, "
             "against the literature benchmarks of 20 to 40% (field sales) and 40 to 80% "
             "(inside sales); over the range {t:marketing_sourced_rate:pct}.",
     .x_title = "{by} (customer won)",
     .y_title = "share of customers won (%)",
     .series = cus_share,
     .nseries = N(cus_share),
     .refs = cus_bands,
     .nrefs = N(cus_bands),
     .unit = LF_UNIT_RATE,
     .max_hint = 1,
     .empty = "no customers won in the range"},
    {.periods = true,
     .title = "New customers by origin",
     .desc = "Customers won per {by}, {span}, marketing-sourced and sales-sourced; "
             "{t:customers:count} in total.",
     .x_title = "{by} (customer won)",
     .y_title = "customers won (count)",
     .top = "{?pos r:customers|{r:customers:count}|}",
     .series = cus_origin,
     .nseries = N(cus_origin),
     .unit = LF_UNIT_COUNT,
     .empty = "no customers won in the range"},
};

static const lf_series_spec scoring_s[] = {
    {"acceptance rate", "acceptance_rate", LF_SERIES_BAR, LF_BLUE, 0},
    {"win rate (customers / handoffs)", "win_rate", LF_SERIES_BAR, LF_ORANGE, 0},
};
static const lf_chart_spec scoring_charts[] = {{
    .title = "Acceptance and win rate by score band at MQL",
    .desc = "Acceptance rate and win rate of the handoffs opened in the range, by the band of "
            "the lead's total score when it became an MQL; n is the number of handoffs. In "
            "total {t:acceptance_rate:pct} accepted and {t:win_rate:pct} won.",
    .x_title = "total score at MQL (band)",
    .y_title = "share of handoffs (%)",
    .top = "{?finite r:handoffs|n={r:handoffs:count}|}",
    .series = scoring_s,
    .nseries = N(scoring_s),
    .unit = LF_UNIT_RATE,
    .max_hint = 1,
    .empty = "no handoffs in the range",
}};

/* ---- key figures (the headline) ----------------------------------------------------------- */

static const lf_figure_spec funnel_figures[] = {{
    .line_order = 10,
    .line = "  leads created {=lead:reached:count}; of them so far {=mql:reached:count} reached "
            "MQL or beyond ({=mql:conversion_from_lead:pct}),\n  {=sql:reached:count} SQL or "
            "beyond ({=sql:conversion_from_lead:pct}), {=customer:reached:count} became "
            "customers ({=customer:conversion_from_lead:pct})\n",
}};

static const lf_figure_spec mql_figures[] = {{
    .id = "mqls",
    .line_order = 20,
    .line = "  in the range: {t:mqls:count} MQLs handed to sales, {t:sqls@sql:count} SQL entries, "
            "{=customer:in_flow@funnel:count} customers won\n  MQLs against goal: {t:mqls:count} "
            "of {t:goal:count} ({t:goal_attainment:pct})\n",
    .order = 10,
    .label = "MQLs vs goal",
    .value = "t:mqls",
    .type = LF_COL_COUNT,
    .pol = LF_UP_GOOD,
    .compare = true,
    .base = "t:mqls",
    .sub = "{?finite t:goal|MQLs handed to sales in the range; goal {t:goal:count} \xc2\xb7 "
           "{t:goal_attainment:pct} attained|MQLs handed to sales in the range; no MQL goal "
           "configured}",
}};

static const lf_figure_spec bizday_figures[] = {{
    .id = "pace",
    .line_order = 80,
    .line = "{?obj|  this month: {o:mtd:count} MQLs in {o:bdays_elapsed:count} of "
            "{o:bdays_elapsed+bdays_left:count} business days, projected {o:projected:count} "
            "against a goal of {o:goal:count}{?pos o:required_per_bday| "
            "({o:required_per_bday:f1} per business day needed)|}\n|}",
    .order = 20,
    .label = "{?obj|Pace {cat}|Pace this month}",
    .object = "pacing",
    .word = "{?obj|{?null o:goal|" DASH "|{?ge o:mtd o:goal|Goal reached|{?ge o:projected "
            "o:goal|On pace|Behind pace}}}|" DASH "}",
    .sub = "{?obj|{o:mtd:count} MQLs so far in {o:bdays_elapsed:count} of "
           "{o:bdays_elapsed+bdays_left:count} business days; projected {o:projected:f1} "
           "against the goal of {?finite o:goal|{o:goal:number}|none}|the month of the report "
           "date is not in the range}",
}};

static const lf_figure_spec sql_figures[] = {{
    .id = "acceptance",
    .line_order = 40,
    .line = "  acceptance rate {t:acceptance_rate:pct} of MQLs decided ({t:mql_to_sql:pct} of all "
            "MQLs); {t:pending:count} still pending\n",
    .order = 30,
    .label = "Acceptance rate",
    .value = "t:acceptance_rate",
    .type = LF_COL_RATE,
    .pol = LF_UP_GOOD,
    .compare = true,
    .base = "t:accepted+rejected",
    .sub = "of the MQLs handed over in the range that sales decided on, the share accepted; "
           "{t:pending:count} still pending",
}};

static const lf_figure_spec velocity_figures[] = {{
    .id = "sla",
    .line_order = 50,
    .line = "{?has_sla|  SLA {sla}: {t:within_sla_rate:pct} decided within it; median response "
            "{t:response_median_h:h}, p90 {t:response_p90_h:h}; {t:overdue_pending:count} "
            "overdue now\n|}",
    .order = 40,
    .label = "SLA compliance",
    .value = "t:within_sla_rate",
    .type = LF_COL_RATE,
    .pol = LF_UP_GOOD,
    .compare = true,
    .base = "t:decided",
    .sub = "{?has_sla|of the MQLs handed over in the range that sales decided on, the share "
           "decided within the SLA ({sla20}); {t:overdue_pending:count} overdue now|no SLA "
           "configured (sla.accept_within)}",
}};

static const lf_figure_spec speed_figures[] = {{
    .id = "speed",
    .line_order = 60,
    .line = "{?null t:contacted|  speed to lead: missing, no MQL has a contacted event (import "
            "the contacted\n  events to measure it)\n|  speed to lead: "
            "{t:within_target_rate:pct} of MQLs contacted within {target} (median "
            "{t:contact_median_h:h}; benchmark: only 37% of\n  companies manage 1 h)\n}",
    .order = 50,
    .label = "Speed to lead",
    .value = "t:within_target_rate",
    .type = LF_COL_RATE,
    .pol = LF_UP_GOOD,
    .compare = true,
    .base = "t:handoffs",
    .sub = "of the MQLs handed over in the range, the share first contacted within "
           "{target20}; median {t:contact_median_h:hours} h",
    .missing = "null t:contacted",
    .missing_text = "missing: no MQL has a contacted event; import the contacted events to "
                    "measure it",
    .bench = "Benchmark: contact within 1 hour \xe2\x80\x94 only 37% of companies manage it; "
             "those that do are about 7\xc3\x97 likelier to reach a decision maker.",
}};

static const lf_figure_spec cost_figures[] = {{
    .id = "cost",
    .line_order = 70,
    .line = "{?null t:cost|  cost per SQL: missing, no spend has been imported (leadflow import "
            "costs FILE)\n|  cost per SQL: {t:cost_per_sql:money} same-period, "
            "{t:lagged_cost_per_sql:money} with spend shifted {t:lag_days:count} days earlier "
            "(lag); per\n  lead {t:cost_per_lead:money}, per MQL {t:cost_per_mql:money}; spend "
            "{t:cost:money}\n}",
    .order = 60,
    .label = "Cost per SQL",
    .value = "t:cost_per_sql",
    .type = LF_COL_MONEY,
    .pol = LF_DOWN_GOOD,
    .compare = true,
    .base = "t:sqls",
    .sub = "spend in the range / leads that entered SQL in it; with the spend "
           "{t:lag_days:number} days earlier (lagged): {t:lagged_cost_per_sql:money}",
    .missing = "null t:cost",
    .missing_text = "missing: no spend has been imported; import it to see what an SQL costs",
}};

static const lf_figure_spec customers_figures[] = {
    {.id = "marketing",
     .line_order = 90,
     .line = "  customers won: {t:customers:count}, marketing-sourced "
             "{t:marketing_sourced_rate:pct} (benchmark 20-40% field sales, 40-80%\n  inside "
             "sales); lead to customer {t:lead_to_customer:pct} (benchmark 2-5%); revenue "
             "{?null t:revenue|missing (no customer has an amount)|{t:revenue:money}}\n",
     .order = 70,
     .label = "Marketing-sourced customers",
     .value = "t:marketing_sourced_rate",
     .type = LF_COL_RATE,
     .pol = LF_NEUTRAL,
     .compare = true,
     .base = "t:customers",
     .sub = "{t:marketing_sourced:count} of the {t:customers:count} customers won in the range "
            "came from marketing",
     .bench = "Benchmark: 20" DASH "40% with field sales, 40" DASH
              "80% with inside sales and lead-focused marketing."},
    {.id = "lead-to-customer",
     .order = 71,
     .label = "Lead to customer",
     .value = "t:lead_to_customer",
     .type = LF_COL_RATE,
     .pol = LF_UP_GOOD,
     .compare = true,
     .base = "t:leads@mql",
     .sub = "of the leads created in the range, the share that are customers by the report "
            "date",
     .bench = "Benchmark: typically 2" DASH "5%."},
};

static const lf_figure_spec persona_figures[] = {{
    .line_order = 100,
    .line = "  top personas by MQLs (acceptance rate):\n   {top mqls acceptance_rate}",
}};

static const lf_figure_spec channel_figures[] = {{
    .line_order = 110,
    .line = "\n  top channels by revenue (ROI):\n   {top revenue roi}\n",
}};

/* ---- presentations ------------------------------------------------------------------------ */

#define CHARTS(a) .charts = a, .ncharts = N(a)
#define FIGURES(a) .figures = a, .nfigures = N(a)
/* the options line of lf_present: reports by period, and the others */
#define BY_PERIOD "--by day|week|month|quarter|year: the period of a row (default month)."
#define BY_NONE(rows) "--by does not apply: one row per " rows "."

static const lf_present p_funnel = {
    "Funnel",
    "Where the leads are, what moved between stages, and how far the leads created in the range "
    "got.",
    .noun = "stage",
    CHARTS(funnel_charts),
    FIGURES(funnel_figures),
    .cols = rep_cols_funnel,
    .options = BY_NONE("stage")};
static const lf_present p_mql = {"MQLs against goal",
                                 "How many MQLs did we produce, against our goal?",
                                 .noun = "period",
                                 .size = "t:leads",
                                 CHARTS(mql_charts),
                                 FIGURES(mql_figures),
                                 .cols = rep_cols_mql,
                                 .options = BY_PERIOD};
static const lf_present p_sql = {
    "Sales acceptance", "How many MQLs did sales accept, and why did they reject the rest?",
    .noun = "period", CHARTS(sql_charts), FIGURES(sql_figures), .cols = rep_cols_sql,
    .options = BY_PERIOD};
static const lf_present p_velocity = {
    "SLA and response time",
    "Does sales decide on MQLs within the SLA? How long do leads take from stage to stage?",
    .noun = "period", CHARTS(velocity_charts), FIGURES(velocity_figures),
    .cols = rep_cols_velocity, .options = BY_PERIOD};
static const lf_present p_speed = {"Speed to lead",
                                   "How soon after an MQL does sales first contact the lead?",
                                   .noun = "period", CHARTS(speed_charts), FIGURES(speed_figures),
                                   .cols = rep_cols_speed, .options = BY_PERIOD};
static const lf_present p_cost = {
    "Cost per SQL",
    "What does an SQL cost, with the lag between spend and result taken into account?",
    .noun = "period", CHARTS(cost_charts), FIGURES(cost_figures), .cols = rep_cols_cost,
    .options = BY_PERIOD};
static const lf_present p_bizday = {
    "Leads per business day",
    "Leads and MQLs per business day, month over month, and the pace of this month.",
    .noun = "month", CHARTS(bizday_charts), FIGURES(bizday_figures), .cols = rep_cols_bizday,
    .options = BY_NONE("calendar month")};
static const lf_present p_persona = {"Personas",
                                     "Which personas become MQLs, SQLs and customers?",
                                     .noun = "persona", .charts = dim_charts, .ncharts = 2,
                                     FIGURES(persona_figures), .cols = rep_cols_persona,
                                     .options = BY_NONE("persona")};
static const lf_present p_channel = {
    "Channels", "Which channels convert, and what do they earn against what they cost?",
    .noun = "channel", CHARTS(dim_charts), FIGURES(channel_figures), .cols = rep_cols_channel,
    .options = BY_NONE("channel")};
static const lf_present p_segment = {
    "Segments", "Which values of the attribute become MQLs, SQLs and customers?",
    .noun = "segment", .charts = dim_charts, .ncharts = 2, .cols = rep_cols_segment,
    .options = "--attribute NAME (required): the lead attribute whose values are the rows. "
               BY_NONE("value") " Not part of report all."};
static const lf_present p_customers = {
    "Customers and marketing's share",
    "How many customers did we win, and what share came from marketing?",
    .noun = "period", CHARTS(customers_charts), FIGURES(customers_figures),
    .cols = rep_cols_customers, .options = BY_PERIOD};
static const lf_present p_scoring = {"Score bands",
                                     "Is the MQL definition right? Acceptance and wins by the "
                                     "score a lead had when it qualified.",
                                     .noun = "band", CHARTS(scoring_charts),
                                     .cols = rep_cols_scoring,
                                     .options = BY_NONE("score band (scoring.band_width)")};

/* ---- the registry ------------------------------------------------------------------------- */

/* A registered report: runs the report function and attaches the presentation. */
#define PRESENTED(name)                                                                        \
    static lf_status run_##name(const lf_report_args *a, lf_table **out, lf_error *err)       \
    {                                                                                          \
        lf_status st = lf_report_##name(a, out, err);                                          \
        if (st == LF_OK && *out)                                                               \
            (*out)->present = &p_##name;                                                       \
        return st;                                                                             \
    }
PRESENTED(funnel)
PRESENTED(mql)
PRESENTED(sql)
PRESENTED(velocity)
PRESENTED(speed)
PRESENTED(cost)
PRESENTED(bizday)
PRESENTED(persona)
PRESENTED(channel)
PRESENTED(customers)
PRESENTED(scoring)
PRESENTED(segment)

static const lf_report_def reports[] = {
    {"funnel", run_funnel, "leads per stage: balance, flows, conversion, time in stage",
     &p_funnel},
    {"mql", run_mql, "leads and MQLs per period against the goal, MQLs by channel", &p_mql},
    {"sql", run_sql, "handoffs accepted and rejected (cohort by mql_at), SQLs, reasons", &p_sql},
    {"velocity", run_velocity, "SLA response times and breaches, stage-to-stage days",
     &p_velocity},
    {"speed", run_speed, "speed to lead: first contact after mql_at against the target",
     &p_speed},
    {"cost", run_cost, "spend, cost per lead/MQL/SQL, and lagged cost per SQL", &p_cost},
    {"bizday", run_bizday, "leads and MQLs per business day by month, pacing this month",
     &p_bizday},
    {"persona", run_persona, "leads, MQLs, acceptance, SQLs and customers per persona",
     &p_persona},
    {"channel", run_channel, "per channel: funnel counts, revenue, spend, ROI", &p_channel},
    {"customers", run_customers, "customers, marketing-sourced share, revenue, conversions",
     &p_customers},
    {"scoring", run_scoring, "handoffs by score band at mql_at: acceptance and win rate per band",
     &p_scoring},
};

/* Reports with a parameter of their own: found by name, not run by `all`. segment has
 * no key figure (the headline is about the whole funnel, not one attribute). */
static const lf_report_def more[] = {
    {"segment", run_segment, "persona's columns per value of a lead attribute (--attribute)",
     &p_segment},
};

const lf_report_def *lf_report_find(const char *name)
{
    for (size_t i = 0; name && i < N(reports); i++)
        if (strcmp(reports[i].name, name) == 0)
            return &reports[i];
    for (size_t i = 0; name && i < N(more); i++)
        if (strcmp(more[i].name, name) == 0)
            return &more[i];
    return NULL;
}

const lf_report_def *lf_report_list_more(size_t *n)
{
    *n = N(more);
    return more;
}

const lf_report_def *lf_report_list(size_t *n)
{
    *n = N(reports);
    return reports;
}
