/*
 * app_report.h — reports run into bytes (application layer; src/app/report_*.c).
 *
 * What `leadflow report` and the HTTP API do: take a request as the front end
 * received it (text options), load the workspace's dataset (leadflow/app_dataset.h),
 * run one report or all of them and render them in a format, and return the bytes
 * with the notes for the user beside them. Nothing is printed: the front end writes
 * the bytes where it wants (stdout, a file, an HTTP body) and shows the notes its way
 * (the CLI: "leadflow: note: ..." on stderr).
 */
#ifndef LEADFLOW_APP_REPORT_H
#define LEADFLOW_APP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/error.h"
#include "leadflow/present.h"
#include "leadflow/time.h"

/* A report request as text, as a front end receives it (SPEC §5). Borrowed. */
typedef struct lf_app_report_req {
    const char *name;      /* a registered report or "all" (lf_app_report_known) */
    const char *format;    /* table, csv, json or html; NULL = table */
    const char *from, *to; /* local dates YYYY-MM-DD; NULL = the default range: the 12
                              calendar months ending with the month of as-of */
    const char *by;        /* day, week, month, quarter or year; NULL = month */
    const char *as_of;     /* an instant in the workspace zone; NULL = now */
    const char *attribute; /* segment: the lead attribute whose values are the rows
                              (required there, refused with any other report) */
    struct lf_app_dataset_cache *cache; /* NULL, or the dataset shared by the process's
                              threads (leadflow/app_dataset.h; not for segment) */
} lf_app_report_req;

#define LF_APP_NOTES_MAX 8
#define LF_APP_NOTE_LEN 320

/* What a run returns. Owned; lf_app_report_out_init / _release. */
typedef struct lf_app_report_out {
    lf_buf bytes;  /* the rendered output, exactly what the front end writes */
    /* Notes for the user (SPEC §7: an empty range and where the data is; for csv and
     * json, which have no place for them, the inputs never imported): plain text
     * lines without prefix or newline. */
    size_t nnotes;
    char notes[LF_APP_NOTES_MAX][LF_APP_NOTE_LEN];
    /* With LF_EUSAGE: an argument of the request was refused before anything was
     * read (the front end shows its usage); false for a failure of the run itself. */
    bool bad_request;
    /* The range the run used (after LF_OK): days [from_day, to_day) and the as-of
     * instant, "now" read once when the request named none. */
    int32_t from_day, to_day;
    lf_time as_of;
} lf_app_report_out;

void lf_app_report_out_init(lf_app_report_out *out);
void lf_app_report_out_release(lf_app_report_out *out);

/* Whether name is a registered report or "all". */
bool lf_app_report_known(const char *name);
/* The i-th registered report's name, in registry order (the order of `all`); NULL
 * past the last. */
const char *lf_app_report_name(size_t i);
/* The i-th report that `all` leaves out because it needs an argument of its own
 * (segment: --attribute); NULL past the last. */
const char *lf_app_report_name_more(size_t i);

/* What report `name` is, for help texts and documentation: its presentation (title,
 * question, options line and its columns with their definitions, leadflow/present.h);
 * static data, never freed. NULL for "all" and for an unknown name. */
const lf_present *lf_app_report_present(const char *name);

/* Runs req over the workspace (configuration loaded and store opened as needed) into
 * out (initialised by the caller): the name, the format, --by, the configuration,
 * then --as-of, --from and --to are checked in this order (LF_EUSAGE with
 * bad_request, or the configuration's LF_ECONFIG), the dataset is loaded
 * (lf_app_load_dataset), the reports run and rendered.
 * For `all`: table = each report's text one after another, separated by a blank
 * line; csv = each report's CSV preceded by a line "# NAME" and separated by a blank
 * line; json = {"reports": [each report's object]}; html = one page with the headline
 * strip, whose changes come from the same reports run again over the previous period.
 * The notes are set once the dataset is loaded, also when rendering fails; a --by
 * given to one report whose rows are not periods (funnel, persona, channel, segment,
 * scoring) adds "NAME has one row per DIM: --by does not apply" (the output is the
 * same as without it; bizday, always by month, says so in its own table note). */
lf_status lf_app_report(lf_workspace *ws, const lf_app_report_req *req, lf_app_report_out *out,
                        lf_error *err);

#endif
