/*
 * charts.h — which charts each report gets, built from its table (private to
 * src/render/).
 *
 * A chart reads only the report's table (plus the SLA and speed-to-lead target from
 * the page context, for reference lines), so a chart can never disagree with the
 * table printed under it. Reports without charts (an unknown name) get none.
 */
#ifndef LEADFLOW_CHARTS_H
#define LEADFLOW_CHARTS_H

#include "html.h"
#include "markup.h"

/* Writes the report's figures (each one <figure> with a wide and a narrow <svg>);
 * returns how many. */
size_t charts_write(mk_out *o, const lf_table *t, const lf_html_context *ctx);

/* Table helpers shared with html.c. */
/* Index of the column named `name`, or -1. */
int charts_col(const lf_table *t, const char *name);
/* The number in row `row` (-1 = total) of column `name`: NAN when null or absent. */
double charts_num(const lf_table *t, long row, const char *name);
/* The object cell of row `row` (-1 = total) in column `name`, or NULL. */
const lf_object *charts_obj(const lf_table *t, long row, const char *name);
/* The value of key in an object (NAN when absent or null). */
double charts_obj_num(const lf_object *o, const char *key);

#endif
