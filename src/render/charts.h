/*
 * charts.h — the one chart driver of the HTML report (private to src/render/).
 *
 * Draws the charts a table's presentation declares (lf_table.present, present.h)
 * from the table alone, plus the SLA and speed-to-lead target of the page context
 * for reference lines, so a chart can never disagree with the table printed under
 * it. A table without a presentation (an unknown report) gets none.
 */
#ifndef LEADFLOW_CHARTS_H
#define LEADFLOW_CHARTS_H

#include "html.h"
#include "markup.h"

/* Writes the report's figures (each one <figure> with a wide and a narrow <svg>);
 * returns how many. */
size_t charts_write(mk_out *o, const lf_table *t, const lf_html_context *ctx);

#endif
