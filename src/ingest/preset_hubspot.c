/*
 * preset_hubspot.c — the HubSpot contacts export (`import --preset hubspot`, SPEC §9,
 * docs/presets.md): which columns it reads, by UI label or internal name, and the
 * checks of a contact's current lifecycle stage.
 *
 * Place in the flow: a table and a hook for the preset engine (preset.c), which reads
 * the export and hands the importer leads and events.
 *
 * The "became" dates are the history: the four of the funnel stages make the events
 * `mql`, `accepted`, `opportunity`, `won` (the engine makes them in this table's
 * order, so dates at one instant apply in stage order); subscriber, lead, evangelist
 * and other dates stay attributes. The current stage (`Lifecycle Stage`) is never
 * turned into an event: a value that is not one of HubSpot's default stages (a custom
 * stage id) and a stage earlier than one the contact has a date for (it went
 * backwards) are reported with file and line, not guessed. Date columns of custom
 * stages (`hs_v2_date_entered_<id>`, `Date entered "<name>"`) are reported once per
 * column and not read.
 */
#include <string.h>

#include "leadflow/text.h"
#include "preset_impl.h"

enum { HS_STAGE, HS_MQL, HS_SQL, HS_OPP, HS_CUSTOMER };

static const preset_col hubspot_cols[] = {
    {{"record id", "contact id", "hs_object_id", "vid"}, PL_ID, NULL, NULL, -1},
    {{"email"}, PL_EMAIL, NULL, NULL, -1},
    {{"create date", "createdate"}, PL_CREATED, NULL, NULL, -1},
    {{"original source", "hs_analytics_source"}, PL_SOURCE, NULL, NULL, -1},
    {{"persona", "hs_persona"}, PL_PERSONA, NULL, NULL, -1},
    {{"job title", "jobtitle"}, -1, "title", NULL, -1},
    {{"number of employees", "numemployees"}, -1, "employees", NULL, -1},
    {{"industry"}, -1, "industry", NULL, -1},
    {{"country/region", "country"}, -1, "country", NULL, -1},
    {{"company name", "company"}, -1, "company", NULL, -1},
    {{"lead status", "hs_lead_status"}, -1, "lead_status", NULL, -1},
    {{"lifecycle stage", "lifecyclestage"}, -1, "lifecycle_stage", NULL, HS_STAGE},
    {{"became a marketing qualified lead date", "hs_lifecyclestage_marketingqualifiedlead_date"},
     -1, NULL, "mql", HS_MQL},
    {{"became a sales qualified lead date", "hs_lifecyclestage_salesqualifiedlead_date"},
     -1, NULL, "accepted", HS_SQL},
    {{"became an opportunity date", "hs_lifecyclestage_opportunity_date"}, -1, NULL,
     "opportunity", HS_OPP},
    {{"became a customer date", "hs_lifecyclestage_customer_date"}, -1, NULL, "won",
     HS_CUSTOMER},
};

/* HubSpot's default lifecycle stages: internal name, UI label, order on the funnel
 * (-1: known but off it). */
static const struct stage {
    const char *name, *label;
    int order;
} stages[] = {
    {"subscriber", "subscriber", 0},
    {"lead", "lead", 1},
    {"marketingqualifiedlead", "marketing qualified lead", 2},
    {"salesqualifiedlead", "sales qualified lead", 3},
    {"opportunity", "opportunity", 4},
    {"customer", "customer", 5},
    {"evangelist", "evangelist", -1},
    {"other", "other", -1},
};
#define NSTAGES (sizeof stages / sizeof stages[0])

/* The default stage named (internal name or label, any case) by v, or NULL. */
static const struct stage *stage_of(const char *v, size_t n)
{
    for (size_t i = 0; i < NSTAGES; i++)
        if (lf_ascii_ieq(v, n, stages[i].name, strlen(stages[i].name)) ||
            lf_ascii_ieq(v, n, stages[i].label, strlen(stages[i].label)))
            return &stages[i];
    return NULL;
}

/* A column of a custom stage's dates: hs_v2_date_entered_<id> / _exited_<id>, or
 * Date entered "<name> (Lifecycle Stage Pipeline)" / Date exited "...", whose stage is
 * not a default one. */
static const char *hubspot_unplaced(const char *lname)
{
    static const char *const prefixes[] = {"hs_v2_date_entered_", "hs_v2_date_exited_",
                                           "date entered \"", "date exited \""};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(lname, prefixes[i], pl) != 0)
            continue;
        const char *name = lname + pl;
        size_t n = strcspn(name, i < 2 ? "" : "\"");
        const char *paren = i < 2 ? NULL : strstr(name, " (");
        if (paren && (size_t)(paren - name) < n)
            n = (size_t)(paren - name);
        if (!stage_of(name, n))
            return "is the date of a custom lifecycle stage";
    }
    return NULL;
}

/* The latest funnel stage the row has a readable date for (its slot), or -1. */
static int latest_dated(const lf_preset *p, int *order)
{
    static const int slots[] = {HS_MQL, HS_SQL, HS_OPP, HS_CUSTOMER};
    static const int orders[] = {2, 3, 4, 5};
    int best = -1;
    *order = -1;
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        const char *v;
        size_t n;
        if (preset_slot(p, slots[i], &v, &n) && preset_date_valid(p, v, n)) {
            best = slots[i];
            *order = orders[i];
        }
    }
    return best;
}

/* The current stage: placed, or reported (a custom stage id, a contact that went
 * backwards). Makes no event. */
static lf_status hubspot_row(lf_preset *p)
{
    const char *v;
    size_t n;
    if (!preset_slot(p, HS_STAGE, &v, &n))
        return LF_OK;
    const struct stage *s = stage_of(v, n);
    if (!s) {
        bool number = strspn(v, "0123456789") >= n;
        return preset_warn_row(p, "lifecycle stage '%s' is %s: not placed (its dates are)",
                               preset_shown(p, v, n),
                               number ? "a custom stage" : "not a HubSpot lifecycle stage");
    }
    int order;
    int slot = latest_dated(p, &order);
    if (s->order < 0 || slot < 0 || order <= s->order)
        return LF_OK;
    return preset_warn_row(p,
                           "lifecycle stage '%s' is earlier than its '%s' (the contact went "
                           "backwards): events made from every date",
                           preset_shown(p, v, n), preset_slot_name(p, slot));
}

const preset_def lf_preset_hubspot = {
    .name = "hubspot",
    .cols = hubspot_cols,
    .ncols = sizeof hubspot_cols / sizeof hubspot_cols[0],
    .need_id = "'Record ID' or 'hs_object_id'",
    .need_created = "'Create Date' or 'createdate'",
    .unplaced = hubspot_unplaced,
    .row_events = hubspot_row,
};
