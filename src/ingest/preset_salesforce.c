/*
 * preset_salesforce.c — the Salesforce Lead export or report (`import --preset
 * salesforce`, SPEC §9, docs/presets.md): which columns it reads, by API name or report
 * label, and how conversion and the lead status become events.
 *
 * Place in the flow: a table and a hook for the preset engine (preset.c).
 *
 * A converted lead (IsConverted true) became an SQL at its ConvertedDate: `accepted`.
 * The status goes through a table, Salesforce's default statuses built in and
 * presets.salesforce.statuses of leadflow.yaml adding to and overriding them (the
 * last matching entry of the configuration wins over the defaults). A status event
 * is dated by ConvertedDate when the lead has one (a converted lead's status is its
 * converted status), else by LastModifiedDate; without either, and for a status not
 * in the table, a warning names file and line and no event is made (not guessed).
 * An event equal to one already made for the row (Closed - Converted and the
 * conversion) is made once.
 */
#include <string.h>

#include "leadflow/text.h"
#include "preset_impl.h"

enum { SF_STATUS, SF_CONVERTED, SF_CONVDATE, SF_LASTMOD };

static const preset_col salesforce_cols[] = {
    {{"id", "lead id"}, PL_ID, NULL, NULL, -1},
    {{"email"}, PL_EMAIL, NULL, NULL, -1},
    {{"createddate", "create date", "created date"}, PL_CREATED, NULL, NULL, -1},
    {{"leadsource", "lead source"}, PL_SOURCE, NULL, NULL, -1},
    {{"title"}, -1, "title", NULL, -1},
    {{"company", "company / account"}, -1, "company", NULL, -1},
    {{"industry"}, -1, "industry", NULL, -1},
    {{"numberofemployees", "no. of employees"}, -1, "employees", NULL, -1},
    {{"country"}, -1, "country", NULL, -1},
    {{"rating"}, -1, "rating", NULL, -1},
    {{"status", "lead status"}, -1, "status", NULL, SF_STATUS},
    {{"isconverted", "converted"}, -1, NULL, NULL, SF_CONVERTED},
    {{"converteddate", "converted date"}, -1, NULL, NULL, SF_CONVDATE},
    {{"lastmodifieddate", "last modified date"}, -1, NULL, NULL, SF_LASTMOD},
};

/* Salesforce's default lead statuses (NULL: no event). */
static const struct {
    const char *status, *type;
} default_statuses[] = {
    {"Open - Not Contacted", NULL},
    {"Working - Contacted", "contacted"},
    {"Closed - Converted", "accepted"},
    {"Closed - Not Converted", "disqualified"},
};

static const char *salesforce_unplaced(const char *lname)
{
    (void)lname;
    return NULL;
}

/* The event of a status through the table: true when the status is in it (*type NULL
 * for none). */
static bool status_event(const lf_config *cfg, const char *v, size_t n, const char **type)
{
    for (size_t i = cfg->nsf_statuses; i-- > 0;) {
        const lf_preset_status *e = &cfg->sf_statuses[i];
        size_t en = strlen(e->status);
        const char *s = e->status;
        while (en && (*s == ' ' || *s == '\t'))
            s++, en--;
        while (en && (s[en - 1] == ' ' || s[en - 1] == '\t'))
            en--;
        if (lf_ascii_ieq(v, n, s, en)) {
            *type = e->type;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof default_statuses / sizeof default_statuses[0]; i++)
        if (lf_ascii_ieq(v, n, default_statuses[i].status, strlen(default_statuses[i].status))) {
            *type = default_statuses[i].type;
            return true;
        }
    return false;
}

/* IsConverted: 1 true, 0 false or empty, -1 not a boolean (reported). */
static int converted(lf_preset *p)
{
    static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no"};
    const char *v;
    size_t n;
    if (!preset_slot(p, SF_CONVERTED, &v, &n))
        return 0;
    for (size_t i = 0; i < 3; i++) {
        if (lf_ascii_ieq(v, n, yes[i], strlen(yes[i])))
            return 1;
        if (lf_ascii_ieq(v, n, no[i], strlen(no[i])))
            return 0;
    }
    preset_warn_row(p, "column '%s': '%s' is not true or false: not placed",
                    preset_slot_name(p, SF_CONVERTED), preset_shown(p, v, n));
    return -1;
}

/* The conversion: `accepted` at ConvertedDate. */
static lf_status conversion_event(lf_preset *p)
{
    const char *d;
    size_t dn;
    if (converted(p) != 1)
        return LF_OK;
    if (!preset_slot(p, SF_CONVDATE, &d, &dn))
        return preset_warn_row(p, "converted lead without a ConvertedDate: no 'accepted' event "
                                  "(not guessed)");
    if (!preset_date_ok(p, preset_slot_name(p, SF_CONVDATE), d, dn, "accepted"))
        return LF_OK;
    return preset_event(p, "accepted", d, dn, NULL, 0);
}

/* The status through the table, dated by ConvertedDate, else LastModifiedDate. */
static lf_status status_event_of_row(lf_preset *p)
{
    const char *v, *d, *type = NULL;
    size_t n, dn;
    if (!preset_slot(p, SF_STATUS, &v, &n))
        return LF_OK;
    if (!status_event(preset_cfg(p), v, n, &type))
        return preset_warn_row(p, "status '%s' is not in presets.salesforce.statuses: not placed",
                               preset_shown(p, v, n));
    if (!type)
        return LF_OK;
    int col = preset_slot(p, SF_CONVDATE, &d, &dn) ? SF_CONVDATE : SF_LASTMOD;
    if (col == SF_LASTMOD && !preset_slot(p, SF_LASTMOD, &d, &dn))
        return preset_warn_row(p, "status '%s' (%s) has no date (%s): not placed",
                               preset_shown(p, v, n), type,
                               preset_has_slot(p, SF_LASTMOD)
                                   ? "LastModifiedDate is empty"
                                   : "no ConvertedDate, and the file has no LastModifiedDate");
    if (!preset_date_ok(p, preset_slot_name(p, col), d, dn, type))
        return LF_OK;
    bool has_reason = strcmp(type, "disqualified") == 0 || strcmp(type, "rejected") == 0 ||
                      strcmp(type, "lost") == 0;
    return preset_event(p, type, d, dn, has_reason ? v : NULL, n);
}

static lf_status salesforce_row(lf_preset *p)
{
    lf_status st = conversion_event(p);
    return st == LF_OK ? status_event_of_row(p) : st;
}

const preset_def lf_preset_salesforce = {
    .name = "salesforce",
    .cols = salesforce_cols,
    .ncols = sizeof salesforce_cols / sizeof salesforce_cols[0],
    .need_id = "'Id' or 'Lead ID'",
    .need_created = "'CreatedDate' or 'Created Date'",
    .unplaced = salesforce_unplaced,
    .row_events = salesforce_row,
};
