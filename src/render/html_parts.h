/*
 * html_parts.h — the parts of the HTML page shared between html.c and
 * html_headline.c (private to src/render/).
 */
#ifndef LEADFLOW_HTML_PARTS_H
#define LEADFLOW_HTML_PARTS_H

#include "html.h"
#include "markup.h"

/* An instant for people: UTC to the second ("2026-04-14T22:00:00Z"). */
void html_instant(lf_time t, char *buf, size_t size);

/* Writes the headline strip: the key figures of the page's reports (page->prev set). */
void html_headline(mk_out *o, const lf_html_page *p);

#endif
