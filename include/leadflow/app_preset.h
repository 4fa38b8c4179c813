/*
 * app_preset.h — `leadflow import --preset NAME FILE` through the application layer
 * (SPEC §9, docs/presets.md): a CRM export (HubSpot contacts, Salesforce leads) read
 * twice, as leads then as their lifecycle events, through the ordinary import.
 * Nothing here prints: warnings (values the preset could not place) travel through a
 * callback, and the two passes' results come back as values.
 *
 * Ownership: strings handed to callbacks are valid only during the callback.
 */
#ifndef LEADFLOW_APP_PRESET_H
#define LEADFLOW_APP_PRESET_H

#include <stdbool.h>
#include <stdint.h>

#include "leadflow/app.h"
#include "leadflow/app_import.h"
#include "leadflow/error.h"

/* A value the preset could not place (not a rejected row: the lead is imported):
 * FILE:LINE: MESSAGE, or FILE: MESSAGE when line is 0 (a finding about a column).
 * The CLI prints "leadflow: warning: FILE:LINE: MESSAGE" on stderr. */
typedef void (*lf_app_preset_warn_fn)(void *ctx, const char *file, long line,
                                      const char *msg);

/* True when name is a preset ("hubspot", "salesforce"). */
bool lf_app_preset_known(const char *name);
/* The preset names, space separated, for usage messages ("hubspot salesforce"). */
const char *lf_app_preset_names(void);

/* Imports FILE (not "-": a preset reads its file twice) with preset NAME into the
 * workspace (opened if needed): res[0] is the leads pass, res[1] the events pass
 * (both named FILE). tz_name: the zone of timestamps without an offset (--timezone),
 * NULL = the workspace's. cb (may be NULL) serves both passes; on_warning (may be
 * NULL) gets cb->ctx (NULL without cb); *warnings (may be NULL) is set to the number
 * of warnings. Returns LF_OK (also when cancelled: the events pass is then not run),
 * LF_EUSAGE for an unknown preset ("unknown preset 'x' (hubspot, salesforce)") or "-"
 * ("--preset needs a file, not standard input (it reads the file twice)"), LF_EINPUT
 * when rows were rejected (res[i].rejected > 0) or the file is unusable ("cannot open
 * 'F': ...", a header without the preset's required columns), LF_ECONFIG for a bad
 * zone, LF_ESTORE / LF_ENOMEM otherwise; err says why. res is filled in every case. */
lf_status lf_app_import_preset(lf_workspace *ws, const char *preset, const char *file,
                               const char *tz_name, const lf_app_import_cb *cb,
                               lf_app_preset_warn_fn on_warning,
                               lf_app_import_result res[2], int64_t *warnings,
                               lf_error *err);

#endif
