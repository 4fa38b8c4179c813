/*
 * leadinfo.c — channel, origin, persona and the rule attributes of a lead (see
 * leadflow/leadinfo.h). Pure: no I/O.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/leadinfo.h"
#include "leadflow/text.h"

static const char *present(const char *s)
{
    return s && *s ? s : NULL;
}

const char *lf_source_channel(const lf_config *cfg, const char *source, const char **origin)
{
    for (size_t i = 0; i < cfg->nsources; i++)
        if (regexec(&cfg->sources[i].re, source, 0, NULL, 0) == 0) {
            if (cfg->sources[i].origin)
                *origin = cfg->sources[i].origin;
            return cfg->sources[i].channel;
        }
    return NULL;
}

/* f->attrs has room for 5 + nextra entries (lf_lead_classify). */
static void add(lf_lead_facts *f, const char *name, const char *value)
{
    f->attrs[f->nattrs++] = (lf_attr){name, value};
}

lf_status lf_lead_classify(const lf_config *cfg, lf_lead_facts *f, lf_error *err)
{
    const char *source = present(f->source);
    const char *rule_origin = NULL;
    const char *c = source ? lf_source_channel(cfg, source, &rule_origin) : NULL;
    f->channel = strdup(c ? c : source ? source : "unknown");
    if (!f->channel)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    lf_ascii_lower(f->channel, strlen(f->channel));
    f->origin = present(f->origin_given) ? f->origin_given
                : rule_origin                ? rule_origin
                                             : "marketing";
    free(f->attrs);
    f->attrs = malloc((5 + f->nextra) * sizeof *f->attrs);
    if (!f->attrs)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    f->nattrs = 0;
    add(f, "email", present(f->email));
    add(f, "source", source);
    add(f, "channel", f->channel);
    add(f, "origin", f->origin);
    for (size_t i = 0; i < f->nextra; i++)
        add(f, f->extra[i].name, present(f->extra[i].value));
    f->persona = present(f->persona_given);
    if (!f->persona) {
        lf_attrs a = {f->attrs, f->nattrs};
        f->persona = "none";
        for (size_t i = 0; i < cfg->npersonas; i++)
            if (lf_cond_eval(&cfg->personas[i].when, &a)) {
                f->persona = cfg->personas[i].name;
                break;
            }
    }
    /* persona goes after origin, before the CSV columns: shift those by one */
    f->nattrs++;
    memmove(&f->attrs[5], &f->attrs[4], (f->nattrs - 5) * sizeof f->attrs[0]);
    f->attrs[4] = (lf_attr){"persona", f->persona};
    return LF_OK;
}

void lf_lead_facts_release(lf_lead_facts *f)
{
    free(f->channel);
    f->channel = NULL;
    free(f->attrs);
    f->attrs = NULL;
    f->nattrs = 0;
}

lf_attrs lf_lead_facts_attrs(const lf_lead_facts *f)
{
    return (lf_attrs){f->attrs, f->nattrs};
}
