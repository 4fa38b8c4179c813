/*
 * report.h — report arguments, periods and the report registry (SPEC §5).
 *
 * A report is a pure function (lf_report_fn) from a dataset, the configuration, a
 * range of local days [from, to), a bucket size and an as-of instant to a table.
 * Periods are computed in the workspace zone: their boundaries are UTC instants, so
 * placing a timestamp in a bucket is a binary search, not a time-zone conversion.
 */
#ifndef LEADFLOW_REPORT_H
#define LEADFLOW_REPORT_H

#include "leadflow/config.h"
#include "leadflow/dataset.h"
#include "leadflow/present.h"
#include "leadflow/table.h"

typedef enum lf_by { LF_BY_DAY = 0, LF_BY_WEEK, LF_BY_MONTH, LF_BY_QUARTER, LF_BY_YEAR } lf_by;

/* "day" ... "year"; parse returns false on an unknown name. */
const char *lf_by_name(lf_by by);
bool lf_by_parse(const char *s, lf_by *by);

typedef struct lf_report_args {
    const lf_config *cfg;
    const lf_dataset *ds;
    int32_t from_day;  /* inclusive local day */
    int32_t to_day;    /* exclusive local day */
    lf_by by;
    lf_time as_of;
} lf_report_args;

/* The default range of SPEC §5: the 12 calendar months ending with the month that
 * contains as_of (local), i.e. [first day of month-11, first day of next month). */
void lf_default_range(const lf_tz *tz, lf_time as_of, int32_t *from_day, int32_t *to_day);

/* The buckets of a range: bucket i is [start[i], start[i+1]) in UTC instants and
 * local days [day[i], day[i+1]). Week buckets start on Mondays (ISO), quarters are
 * calendar quarters; the first and last bucket are cut to the range. Labels:
 * "2026-01-05" (day; week = its Monday, even when cut), "2026-01", "2026-Q1", "2026". */
typedef struct lf_periods {
    size_t n;
    lf_time *start;    /* n + 1 instants */
    int32_t *day;      /* n + 1 local days */
    char (*label)[16]; /* n labels */
} lf_periods;

lf_status lf_periods_make(const lf_tz *tz, lf_by by, int32_t from_day, int32_t to_day,
                          lf_periods *out, lf_error *err);
void lf_periods_release(lf_periods *p);
/* Index of the bucket containing t, or -1 when t is outside the range. */
long lf_periods_find(const lf_periods *p, lf_time t);
/* Label of the period (of size `by`) that contains local day `day`. buf >= 16. */
void lf_period_label(lf_by by, int32_t day, char *buf, size_t size);

typedef lf_status (*lf_report_fn)(const lf_report_args *a, lf_table **out, lf_error *err);

typedef struct lf_report_def {
    const char *name;
    lf_report_fn fn; /* runs the report; the table carries `present` */
    const char *summary;
    const lf_present *present; /* title, question, charts and key figures (present.h) */
} lf_report_def;

/* The registry: every report by name (NULL if unknown); the reports of `all`, in
 * order (lf_report_list); the reports that need a parameter of their own and so are
 * not part of `all` (lf_report_list_more: `segment`, which needs an attribute). A
 * registered fn attaches the report's presentation to the table it returns. */
const lf_report_def *lf_report_find(const char *name);
const lf_report_def *lf_report_list(size_t *n);
const lf_report_def *lf_report_list_more(size_t *n);

/* Report functions (src/report/). */
lf_status lf_report_funnel(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_mql(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_sql(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_velocity(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_speed(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_cost(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_bizday(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_persona(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_channel(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_customers(const lf_report_args *a, lf_table **out, lf_error *err);
lf_status lf_report_scoring(const lf_report_args *a, lf_table **out, lf_error *err);
/* persona's columns per value of one lead attribute (SPEC §9): reads a->ds->segment
 * (leadflow/dataset.h); LF_EUSAGE when the dataset has none loaded. */
lf_status lf_report_segment(const lf_report_args *a, lf_table **out, lf_error *err);

/* ---- notes for the user (SPEC §7; src/report/notes.c) ------------------------------
 * What a new user needs told beside the numbers: that the range holds no data and
 * where the data is, and which figures are missing because their input was never
 * imported. Inputs are derived from the dataset itself (no store flag needed):
 *   contacts  some handoff has a first contact (no handoff at all: nothing is missing)
 *   spend     the store holds spend rows;  traffic  the store holds traffic rows
 *   amounts   some customer has a non-zero amount (no customer at all: nothing missing)
 * and a store without leads lacks none of them (its note asks for leads first).
 * A figure whose input is missing is null in every format (JSON null, CSV empty,
 * table "–"), never a real-looking 0, and its table carries a note saying what to
 * import. So a count column that is null (`contacted`, `cost`, `revenue`, `visitors`)
 * means "never imported". */
enum {
    LF_INPUT_CONTACTS = 1u, /* `contacted` events */
    LF_INPUT_SPEND = 2u,    /* costs */
    LF_INPUT_TRAFFIC = 4u,  /* visitors */
    LF_INPUT_AMOUNTS = 8u,  /* amounts of won customers */
    LF_INPUT_ALL = 15u
};

/* The inputs (LF_INPUT_* bits) the dataset holds, as described above. O(leads +
 * handoffs) at worst. */
unsigned lf_report_inputs(const lf_dataset *ds);

/* Makes the columns of table t (a report run over ds) whose input ds lacks null in
 * every row and the total, and adds a note per missing input naming the columns and
 * what to import. Reports call it last; a table of another report is left as is.
 * Returns LF_OK or LF_ENOMEM. */
lf_status lf_report_mark_missing(const lf_dataset *ds, lf_table *t);

#define LF_NOTES_MAX 8
#define LF_NOTE_LEN 320

/* Notes of one run, as plain text lines (no prefix, no newline). */
typedef struct lf_report_notes {
    size_t n;
    char text[LF_NOTES_MAX][LF_NOTE_LEN];
} lf_report_notes;

enum {
    LF_NOTES_RANGE = 1u, /* the empty store, or an empty range and where the data is */
    LF_NOTES_INPUTS = 2u /* per report run and input it lacks: "REPORT: missing ..." */
};

/* Fills out with the notes (`what`: LF_NOTES_* bits) for running report `report`
 * ("all" = every registered report) over a. The range note, when the store holds
 * leads but none was created and nothing happened in [from, to) by as-of:
 *   "no leads in 2026-01-01 – 2027-01-01; the store holds 2017-06-14 – 2018-11-14:
 *    try --as-of 2018-12-01 --from 2017-06-01"
 * (the store's span runs from the first lead created to the last thing recorded, in
 * local dates; the suggested as-of is the 1st of the month after that, and --from,
 * the 1st of the first lead's month, is given only when the default range of that
 * as-of would not reach it); with no lead at all: "the store holds no leads: import
 * leads first". */
void lf_report_notes_make(const lf_report_args *a, const char *report, unsigned what,
                          lf_report_notes *out);

#endif
