/*
 * preset_impl.h — what a preset (preset_hubspot.c, preset_salesforce.c) declares and
 * what the shared engine (preset.c) offers it. Internal to src/ingest.
 *
 * A preset is data plus one hook: a table of the columns it knows (accepted header
 * names in lower case, the leadflow column or attribute each gives, the event type a
 * date column makes, a slot the hook reads), a test for columns it refuses to place,
 * and row_events, which adds the events of one row that are not a plain date column
 * (HubSpot's stage checks, Salesforce's conversion and status table).
 */
#ifndef LEADFLOW_PRESET_IMPL_H
#define LEADFLOW_PRESET_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "leadflow/preset.h"

/* Leadflow's lead columns a preset fills (the first fields of a leads record). */
enum { PL_ID, PL_EMAIL, PL_CREATED, PL_SOURCE, PL_PERSONA, PL__N };

#define PRESET_MAX_NAMES 4
#define PRESET_MAX_SLOTS 8

typedef struct preset_col {
    const char *names[PRESET_MAX_NAMES]; /* accepted header names, lower case */
    int lead;          /* PL_* it gives, or -1 */
    const char *attr;  /* the attribute it gives, or NULL */
    const char *event; /* the event type a date in it makes, or NULL */
    int slot;          /* the hook's slot (0 .. PRESET_MAX_SLOTS-1), or -1 */
} preset_col;

typedef struct preset_def {
    const char *name;
    const preset_col *cols;
    size_t ncols;
    const char *need_id;      /* the id column's names, for the missing-column message */
    const char *need_created; /* the creation date's */
    /* Why a column the table does not know is not placed (NULL: an attribute under
     * its own name). lname is lower case. */
    const char *(*unplaced)(const char *lname);
    /* The events of the current row beyond its date columns, in order; may warn. */
    lf_status (*row_events)(lf_preset *p);
} preset_def;

extern const preset_def lf_preset_hubspot;
extern const preset_def lf_preset_salesforce;

/* The current row's trimmed value of a slot's column: false when the file has no
 * such column or the cell is empty. */
bool preset_slot(const lf_preset *p, int slot, const char **v, size_t *n);
/* True when the file has a column for the slot. */
bool preset_has_slot(const lf_preset *p, int slot);
/* The header name (as written, trimmed) of a slot's column ("" when absent). */
const char *preset_slot_name(const lf_preset *p, int slot);
/* Checks a date of the current row (`what` names it in the message); warns and
 * returns false when it is not a timestamp leadflow reads. */
bool preset_date_ok(lf_preset *p, const char *what, const char *v, size_t n, const char *event);
/* Adds an event of the current row (type, ts, reason may be NULL); an event equal in
 * type and time to one already added is not added twice. */
lf_status preset_event(lf_preset *p, const char *type, const char *ts, size_t tsn,
                       const char *reason, size_t reasonn);
/* The configuration. */
const lf_config *preset_cfg(const lf_preset *p);
/* Reports a finding of the current row (printf-style). */
lf_status preset_warn_row(lf_preset *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Quotes a value for a message into a static-per-preset scratch (cut at 60 bytes,
 * control bytes escaped); valid until the next call. */
const char *preset_shown(lf_preset *p, const char *v, size_t n);
/* True when v is a timestamp leadflow reads (no message). */
bool preset_date_valid(const lf_preset *p, const char *v, size_t n);

#endif
