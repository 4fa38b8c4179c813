/*
 * registry.c — output format name -> renderer (a dispatch table, DESIGN.md §5).
 *
 * Place in the flow: front ends look a renderer up by the name the user gave
 * (--format) and hand it the table a report returned. Adding a format is adding
 * one line here and one file in src/render/.
 */
#include <string.h>

#include "leadflow/table.h"

static const struct {
    const char *name;
    lf_render_fn fn;
} renderers[] = {
    {"table", lf_render_text},
    {"csv", lf_render_csv},
    {"json", lf_render_json},
};

lf_render_fn lf_renderer(const char *format)
{
    if (!format)
        return NULL;
    for (size_t i = 0; i < sizeof renderers / sizeof renderers[0]; i++)
        if (strcmp(renderers[i].name, format) == 0)
            return renderers[i].fn;
    return NULL;
}
