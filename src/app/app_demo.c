/*
 * app_demo.c — synthetic data and the demo workspace (leadflow/app_demo.h).
 *
 * Place in the flow: generator (src/gen) -> files -> [demo] -> import (the front end
 * shows each file's summary) -> dataset -> reports -> headline + page. The demo
 * starts from an empty store every time, so it can be run again on the same
 * directory; its reports are run once and give both the terminal headline and the
 * HTML page, so the two can never disagree. Nothing here prints: the front end gets
 * the generator's progress through a callback and the headline and page as bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "leadflow/app_dataset.h"
#include "leadflow/app_demo.h"
#include "leadflow/import.h"
#include "leadflow/outfile.h"
#include "report_run.h"


lf_status lf_app_generate(const lf_generate_opts *opts, lf_error *err)
{
    lf_status s = opts->out_dir ? lf_make_dirs(opts->out_dir, err) : LF_OK;
    return s == LF_OK ? lf_generate(opts, err) : s;
}

static const lf_app_demo_file demo_files[] = {
    {LF_IMPORT_LEADS, "leads.csv"},
    {LF_IMPORT_EVENTS, "events.csv"},
    {LF_IMPORT_COSTS, "costs.csv"},
    {LF_IMPORT_TRAFFIC, "traffic.csv"},
};

const lf_app_demo_file *lf_app_demo_files(size_t *n)
{
    *n = sizeof demo_files / sizeof demo_files[0];
    return demo_files;
}

lf_status lf_app_demo_open(lf_workspace *ws, const char *dir, lf_error *err)
{
    lf_workspace_release(ws);
    lf_workspace_init(ws, dir, NULL);
    static const char *const store_files[] = {"leadflow.db", "leadflow.db-wal",
                                              "leadflow.db-shm"};
    for (size_t i = 0; i < sizeof store_files / sizeof store_files[0]; i++) {
        char *p = lf_workspace_path(ws, store_files[i]);
        if (!p)
            return lf_errorf(err, LF_ENOMEM, "out of memory");
        remove(p);
        free(p);
    }
    return lf_workspace_open(ws, err);
}

lf_status lf_app_demo_report(lf_workspace *ws, lf_time now, lf_buf *headline, lf_buf *page,
                             lf_error *err)
{
    lf_dataset ds;
    lf_status s = lf_app_load_dataset(ws, &ds, err);
    if (s != LF_OK)
        return s;
    lf_report_args a = {.cfg = &ws->cfg, .ds = &ds, .by = LF_BY_MONTH, .as_of = now};
    lf_default_range(ws->cfg.tz, now, &a.from_day, &a.to_day);
    report_run run = {0};
    s = report_run_reports(&a, "all", &run, err);
    if (s == LF_OK && (s = report_headline(&ws->cfg, &a, &run, headline)) != LF_OK)
        s = lf_errorf(err, s, "out of memory writing the headline");
    if (s == LF_OK)
        s = report_render_run(&ws->cfg, &a, &run, true, "html", page, err);
    report_run_release(&run);
    lf_dataset_release(&ds);
    return s;
}
