/*
 * html.h — the HTML report: one self-contained page (SPEC §5 `--format html`).
 *
 * A page holds one report (`report NAME --format html`) or all of them (`report
 * all`): a header, for `all` a headline strip of the numbers a marketing leader
 * reads first (each with its change against the previous period and, where SPEC §5
 * names one, the literature benchmark), then per report a section with its charts
 * (inline SVG drawn by leadflow), its table and its notes. The page template and
 * CSS are real files under assets/report/, embedded at build time; the page loads
 * nothing (no scripts, fonts, images or styles from anywhere), and a
 * Content-Security-Policy forbids it to, so it can be opened offline or mailed.
 *
 * Like the other renderers this knows nothing about leads: it reads tables, and what
 * each report's section shows (title, question, charts, headline figures) from the
 * presentation the table carries (lf_table.present, present.h). The few settings a
 * chart needs that a table does not carry (the SLA and the speed-to-lead target, for
 * reference lines) come in an lf_html_context filled by the caller.
 */
#ifndef LEADFLOW_HTML_H
#define LEADFLOW_HTML_H

#include <stdbool.h>

#include "leadflow/present.h"
#include "leadflow/table.h"

/* The settings of the page's charts and headline (lf_present_ctx_of fills one from a
 * configuration). */
typedef lf_present_ctx lf_html_context;

typedef struct lf_html_page {
    const lf_table *const *tables; /* the reports, in page order */
    size_t ntables;
    /* For the headline (NULL = no headline strip): the same reports over the
     * previous period, prev[i] for tables[i] (an entry may be NULL). */
    const lf_table *const *prev;
    int32_t prev_from_day, prev_to_day; /* the previous period, [from, to) local days */
    lf_time prev_as_of;
    lf_html_context ctx;
    /* Notes about the run as a whole (an empty range and where the data is), shown
     * at the top of the page; plain text, escaped like all text. */
    const char *const *notes;
    size_t nnotes;
} lf_html_page;

/* Appends the whole page to out. Returns LF_OK, or an error with a message (out of
 * memory, output too large, a broken template). */
lf_status lf_html_render_page(const lf_html_page *page, lf_buf *out, lf_error *err);

/* An lf_render_fn: a page with this one table and no context (no SLA or target
 * lines). */
lf_status lf_render_html(const lf_table *t, lf_buf *out, lf_error *err);

/* An empty context (NAN hours, no texts). */
lf_html_context lf_html_context_none(void);

#endif
