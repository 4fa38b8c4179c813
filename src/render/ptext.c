/*
 * ptext.c — words, flags and number formats of presentation texts in the HTML
 * report (see ptext.h).
 *
 * Place in the flow: src/core/present.c parses and evaluates a spec's texts against
 * a table and calls back here for what depends on the output: numbers are formatted
 * as the report's tables show them (markup.h), words come from the chart being
 * drawn or the page's context. Unknown names return false, which makes the text an
 * error (LF_EINPUT) rather than silently wrong.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ptext.h"

static bool is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && strncmp(p, word, n) == 0;
}

static bool add(lf_buf *out, const char *s)
{
    return lf_buf_adds(out, s ? s : "") == LF_OK;
}

static const char *target(const ptext_env *e)
{
    return e->ctx && e->ctx->target_text ? e->ctx->target_text : "the target";
}

static const char *sla(const ptext_env *e)
{
    return e->ctx && e->ctx->sla_text ? e->ctx->sla_text : "";
}

static bool word(void *user, const char *p, size_t n, lf_buf *out)
{
    const ptext_env *e = user;
    char b[256];
    if (is(p, n, "by"))
        return add(out, e->t && e->t->by ? e->t->by : "period");
    if (is(p, n, "span")) {
        if (e->ncats)
            snprintf(b, sizeof b, "from %s to %s", e->cats[0], e->cats[e->ncats - 1]);
        return add(out, e->ncats ? b : "");
    }
    if (is(p, n, "what"))
        return add(out, e->noun);
    if (is(p, n, "target") || is(p, n, "sla"))
        return add(out, p[0] == 't' ? target(e) : sla(e));
    if (is(p, n, "target20") || is(p, n, "sla20")) {
        snprintf(b, sizeof b, "%.20s", p[0] == 't' ? target(e) : sla(e));
        return add(out, b);
    }
    if (is(p, n, "cat") || is(p, n, "ncat"))
        return add(out, p[0] == 'c' ? e->cat : e->ncat);
    if (is(p, n, "nrows"))
        snprintf(b, sizeof b, "%zu", e->t ? e->t->nrows : 0);
    else if (is(p, n, "max_rows"))
        snprintf(b, sizeof b, "%d", e->max_rows);
    else if (is(p, n, "off"))
        return add(out, e->off);
    else
        return false;
    return add(out, b);
}

static bool flag(void *user, const char *p, size_t n)
{
    const ptext_env *e = user;
    if (is(p, n, "sla_business"))
        return e->ctx && e->ctx->sla_business && isfinite(e->ctx->sla_hours);
    if (is(p, n, "has_sla"))
        return e->ctx && e->ctx->sla_text;
    if (is(p, n, "cut"))
        return e->cut;
    if (is(p, n, "off"))
        return e->off && e->off[0];
    if (is(p, n, "obj"))
        return e->obj;
    return false;
}

static bool format(void *user, double v, const char *p, size_t n, lf_buf *out)
{
    (void)user;
    static const struct {
        const char *name;
        lf_col_type type;
    } types[] = {{"count", LF_COL_COUNT},
                 {"pct", LF_COL_RATE},
                 {"money", LF_COL_MONEY},
                 {"hours", LF_COL_HOURS},
                 {"number", LF_COL_NUMBER}};
    char b[MK_NUM_MAX];
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (is(p, n, types[i].name)) {
            mk_fmt_value(v, types[i].type, b, sizeof b);
            return add(out, b);
        }
    if (is(p, n, "f1"))
        snprintf(b, sizeof b, "%.1f", v);
    else if (is(p, n, "f2") || is(p, n, "f2-"))
        snprintf(b, sizeof b, "%.2f", v);
    else if (is(p, n, "short"))
        mk_fmt_short(v, MK_NUMBER, 0, b, sizeof b);
    else
        return false;
    return add(out, is(p, n, "f2-") && !isfinite(v) ? MK_NULL_MARK : b);
}

lf_present_scope ptext_scope(ptext_env *env)
{
    lf_present_scope s = lf_present_scope_of(env->t, env->ctx);
    s.word = word;
    s.flag = flag;
    s.format = format;
    s.user = env;
    return s;
}

lf_status ptext_add(const lf_present_scope *s, const char *text, lf_buf *out)
{
    return lf_present_text(s, text, out);
}
