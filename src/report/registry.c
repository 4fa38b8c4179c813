/*
 * registry.c — the report registry: name -> function (DESIGN: dispatch tables, not
 * if-chains). The CLI (`leadflow report NAME`), the HTTP API and `report all` look
 * reports up here; the order of the table is the order of `report all` and of the
 * list printed for an unknown name. Adding a report = one line here.
 */
#include <string.h>

#include "leadflow/report.h"

static const lf_report_def reports[] = {
    {"funnel", lf_report_funnel, "leads per stage: balance, flows, conversion, time in stage"},
    {"mql", lf_report_mql, "leads and MQLs per period against the goal, MQLs by channel"},
    {"sql", lf_report_sql, "handoffs accepted and rejected (cohort by mql_at), SQLs, reasons"},
    {"velocity", lf_report_velocity, "SLA response times and breaches, stage-to-stage days"},
    {"speed", lf_report_speed, "speed to lead: first contact after mql_at against the target"},
    {"cost", lf_report_cost, "spend, cost per lead/MQL/SQL, and lagged cost per SQL"},
    {"bizday", lf_report_bizday, "leads and MQLs per business day by month, pacing this month"},
    {"persona", lf_report_persona, "leads, MQLs, acceptance, SQLs and customers per persona"},
    {"channel", lf_report_channel, "per channel: funnel counts, revenue, spend, ROI"},
    {"customers", lf_report_customers, "customers, marketing-sourced share, revenue, conversions"},
    {"scoring", lf_report_scoring, "handoffs by score band at mql_at: acceptance and win rate per band"},
};

const lf_report_def *lf_report_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof reports / sizeof reports[0]; i++)
        if (strcmp(reports[i].name, name) == 0)
            return &reports[i];
    return NULL;
}

const lf_report_def *lf_report_list(size_t *n)
{
    *n = sizeof reports / sizeof reports[0];
    return reports;
}
