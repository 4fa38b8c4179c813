/*
 * preset.h — CRM exports as record sources for the importer (SPEC §9,
 * docs/presets.md): a HubSpot contacts export or a Salesforce lead export read as
 * leadflow's leads (pass 1) or as their lifecycle events (pass 2).
 *
 * A preset is opened over one byte source for one pass and handed to lf_import as
 * lf_import_opts.source: its records are in leadflow's column layout for the pass's
 * kind, the header first (leads: id, email, created_at, source, persona, then the
 * attributes; events: lead_id, ts, type, reason), with the line numbers and raw bytes
 * of the export's rows. Values it cannot place are reported through a callback
 * (never guessed): column findings in the leads pass, row findings in the events
 * pass, so an import of both passes reports each once.
 *
 * Ownership: the preset borrows opts' pointers (file name, zone, configuration) for
 * its life; records are valid until the next call; lf_preset_free frees the rest.
 */
#ifndef LEADFLOW_PRESET_H
#define LEADFLOW_PRESET_H

#include <stdbool.h>
#include <stdint.h>

#include "leadflow/config.h"
#include "leadflow/csv.h"
#include "leadflow/error.h"
#include "leadflow/import.h"
#include "leadflow/time.h"

typedef struct lf_preset lf_preset;

/* A value the preset cannot place: FILE:LINE: MSG (line 0: a finding about a
 * column). msg is valid during the call. */
typedef void (*lf_preset_warn_fn)(void *ctx, const char *file, long line, const char *msg);

typedef struct lf_preset_opts {
    const char *file;          /* the export's name in messages */
    lf_import_kind kind;       /* LF_IMPORT_LEADS (pass 1) or LF_IMPORT_EVENTS (pass 2) */
    lf_csv_read_fn read;       /* the export's bytes */
    void *read_ctx;
    const lf_tz *tz;           /* zone of timestamps without an offset (not NULL) */
    const lf_config *cfg;      /* presets.salesforce.statuses (not NULL) */
    lf_preset_warn_fn warn;    /* may be NULL */
    void *warn_ctx;
    /* Events pass: true for a line whose lead row the leads pass rejected, so no event
     * is made for it (may be NULL). */
    bool (*skip)(void *ctx, long line);
    void *skip_ctx;
} lf_preset_opts;

/* True when name is a preset ("hubspot", "salesforce"). */
bool lf_preset_known(const char *name);
/* The preset names, space separated. */
const char *lf_preset_names(void);

/* Opens preset `name` for one pass (nothing is read yet). LF_EUSAGE for an unknown
 * name ("unknown preset 'x' (hubspot, salesforce)"), LF_ENOMEM. Free with
 * lf_preset_free. */
lf_status lf_preset_open(lf_preset **out, const char *name, const lf_preset_opts *opts,
                         lf_error *err);
/* The record source for lf_import_opts.source (borrows p). A header without the
 * preset's required columns is LF_EINPUT on the first call ("no column 'Record ID' or
 * 'hs_object_id' (the contact's id)"). */
lf_record_source lf_preset_source(lf_preset *p);
/* Warnings reported so far. */
int64_t lf_preset_warnings(const lf_preset *p);
void lf_preset_free(lf_preset *p);

#endif
