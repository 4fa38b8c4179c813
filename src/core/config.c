/*
 * config.c — the configuration model (SPEC §1, §4): defaults, the schema, values
 * checked and built into an lf_config, release.
 *
 * Place in the flow: every stage reads the configuration, none writes it. A source
 * builds one through the API of leadflow/config.h: lf_config_begin (the defaults),
 * then lf_config_set with values as a small tree of lf_cfg_value (scalars, lists,
 * maps, each with its line). The YAML reader (config_yaml.c) hands over the whole
 * document that way; the HTTP server and tests can do the same without YAML. So this
 * file knows the schema and nothing of the syntax, and the reader the reverse.
 *
 * How the walk works:
 *  - Every map of the schema is a table of key -> handler (walk_map); an entry is a
 *    handler for the value, or a sub-table for a map of settings (which a key path
 *    given to lf_config_set may name). The walk first checks every key of the map
 *    against the table (unknown and duplicate keys are errors), then calls the
 *    handlers in *table* order, not source order. That is how key order in the file
 *    stops mattering while dependencies still hold: timezone before calendar,
 *    calendar before sla (a `bd` is one working-hours length), grades before mql
 *    (grade_at_least must name a configured grade).
 *  - A key whose value is null or empty counts as absent; every key is optional
 *    except the few a list element needs (a source's match and channel, ...).
 *  - Condition trees (`when`, `detail`) are maps whose keys are data (attribute
 *    names), so they are walked by hand: attribute -> tests, plus all/any/not.
 *  - Errors are "SOURCE:LINE: key 'dotted.path': reason" with the line of the
 *    offending value (1-based; a source without lines gives 0 and the message has
 *    none), or "SOURCE:LINE: unknown key 'path'". The current dotted path is kept in
 *    the walk context, pushed and popped around each key.
 *
 * Invariants: the lf_config under construction is always releasable — arrays are
 * zeroed when allocated, counts cover every element that may hold memory, and a
 * regex is marked compiled only after regcomp succeeded — so any error simply
 * releases the whole struct. A value tree may be a DAG (YAML aliases) with
 * exponential expansion; a budget on created items and compiled regex parts, kept in
 * the configuration across lf_config_set calls, and a nesting limit bound the work.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assets.h"
#include "leadflow/config.h"
#include "leadflow/lifecycle.h"
#include "leadflow/text.h"

#define CFG_MAX_DEPTH 32        /* nesting of condition maps */
#define CFG_RE_MAX_PARTS 50000  /* a regex's size with its repetitions written out */
#define CFG_RE_MAX_GROUPS 64    /* nesting of a regex's groups */
#define CFG_RE_MAX_TOTAL 1000000L /* parts of all regexes compiled, 16 a regex at least */
#define CFG_STR_(x) #x
#define CFG_STR(x) CFG_STR_(x)
#define CFG_MAX_ITEMS 1000000L  /* conditions, values and rules created in total */

typedef struct ctx {
    const char *name;      /* source name for messages (cfg->path) */
    lf_config *cfg;        /* its budget: cfg->built_items, cfg->built_re_parts */
    lf_error *err;
    char path[512];        /* dotted key path of the value being read */
    size_t plen;
    int depth;
} ctx;

/* ---- paths and errors ---------------------------------------------------------- */

static size_t path_put(ctx *c, size_t old, int w)
{
    if (w < 0)
        w = 0;
    c->plen = old + (size_t)w < sizeof c->path ? old + (size_t)w : sizeof c->path - 1;
    return old;
}

/* Appends ".key" (or "key" at the top) to the path; returns the length to pop to. */
static size_t path_key(ctx *c, const char *key)
{
    size_t old = c->plen;
    int w = snprintf(c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", key);
    return path_put(c, old, w);
}

static size_t path_index(ctx *c, size_t i)
{
    size_t old = c->plen;
    int w = snprintf(c->path + old, sizeof c->path - old, "[%zu]", i);
    return path_put(c, old, w);
}

static void path_pop(ctx *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

static int line_of(const lf_cfg_value *n)
{
    return n ? n->line : 1;
}

/* ":LINE" for messages, or nothing for a value without a line. */
static const char *at_line(const lf_cfg_value *n, char *buf, size_t size)
{
    int line = line_of(n);
    if (line <= 0)
        return "";
    snprintf(buf, size, ":%d", line);
    return buf;
}

/* "SOURCE:LINE: key 'PATH': REASON" for the current path and value n. */
static lf_status fail(ctx *c, const lf_cfg_value *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static lf_status fail(ctx *c, const lf_cfg_value *n, const char *fmt, ...)
{
    char reason[768], at[24];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    const char *line = at_line(n, at, sizeof at);
    if (c->plen == 0)
        return lf_errorf(c->err, LF_ECONFIG, "%s%s: %s", c->name, line, reason);
    return lf_errorf(c->err, LF_ECONFIG, "%s%s: key '%s': %s", c->name, line, c->path, reason);
}

/* "SOURCE:LINE: WHAT key 'PATH.key'" for an unknown or duplicate key. */
static lf_status fail_key(ctx *c, const lf_cfg_value *k, const char *what)
{
    char at[24];
    size_t old = path_key(c, k->text);
    lf_errorf(c->err, LF_ECONFIG, "%s%s: %s key '%s'", c->name, at_line(k, at, sizeof at), what,
              c->path);
    path_pop(c, old);
    return LF_ECONFIG;
}

static lf_status nomem(ctx *c)
{
    return lf_errorf(c->err, LF_ENOMEM, "out of memory");
}

/* Counts one created item against the budget. */
static lf_status spend(ctx *c, const lf_cfg_value *n)
{
    if (++c->cfg->built_items > CFG_MAX_ITEMS)
        return fail(c, n, "too many conditions and values (more than %ld)", CFG_MAX_ITEMS);
    return LF_OK;
}

/* ---- value helpers -------------------------------------------------------------- */

static bool is_null(const lf_cfg_value *n)
{
    return n->kind == LF_CFG_NULL;
}

static const char *kind(const lf_cfg_value *n)
{
    switch (n->kind) {
    case LF_CFG_NULL:
        return "nothing";
    case LF_CFG_MAP:
        return "a map";
    case LF_CFG_LIST:
        return "a list";
    default:
        return "a scalar";
    }
}

/* The text.h case helpers on NUL-terminated strings. */
static void lower(char *s)
{
    lf_ascii_lower(s, strlen(s));
}

static bool ieq(const char *a, const char *b)
{
    return lf_ascii_ieq(a, strlen(a), b, strlen(b));
}

/* A scalar's text; refuses non-scalars, null and embedded NUL bytes. `what` names
 * the expected value in the message ("a number"). */
static lf_status want_scalar(ctx *c, const lf_cfg_value *n, const char *what, const char **out)
{
    if (n->kind != LF_CFG_SCALAR)
        return fail(c, n, "expected %s, got %s", what, kind(n));
    if (strlen(n->text) != n->len)
        return fail(c, n, "value contains a NUL byte");
    *out = n->text;
    return LF_OK;
}

/* A list's items (which may be empty); refuses anything else. */
static lf_status want_list(ctx *c, const lf_cfg_value *n, size_t *count)
{
    if (n->kind != LF_CFG_LIST)
        return fail(c, n, "expected a list, got %s", kind(n));
    *count = n->nitems;
    return LF_OK;
}

static const lf_cfg_value *list_item(const lf_cfg_value *n, size_t i)
{
    return n->items[i];
}

/* A key's text: keys must be text (a null key keeps its text: `~: 1` is the key
 * "~") without NUL bytes. */
static bool key_is_text(const lf_cfg_value *k)
{
    return k->kind == LF_CFG_SCALAR || k->kind == LF_CFG_NULL;
}

static lf_status want_key(ctx *c, const lf_cfg_value *k, const char **out)
{
    if (!key_is_text(k))
        return fail(c, k, "expected a text key, got %s", kind(k));
    if (strlen(k->text) != k->len)
        return fail(c, k, "key contains a NUL byte");
    *out = k->text;
    return LF_OK;
}

/* Strict decimal: [+-]digits[.digits][(e|E)[+-]digits], finite. */
static bool text_number(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    errno = 0;
    double v = strtod(s, NULL);
    if (errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static lf_status want_number(ctx *c, const lf_cfg_value *n, double *out)
{
    const char *s = NULL;
    lf_status st = want_scalar(c, n, "a number", &s);
    if (st)
        return st;
    if (!text_number(s, out))
        return fail(c, n, "expected a number, got '%s'", s);
    return LF_OK;
}

static lf_status want_bool(ctx *c, const lf_cfg_value *n, bool *out)
{
    static const struct { const char *text; bool value; } words[] = {
        {"true", true}, {"yes", true}, {"on", true},
        {"false", false}, {"no", false}, {"off", false},
    };
    const char *s = NULL;
    lf_status st = want_scalar(c, n, "true or false", &s);
    if (st)
        return st;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (ieq(s, words[i].text)) {
            *out = words[i].value;
            return LF_OK;
        }
    return fail(c, n, "expected true or false, got '%s'", s);
}

/* Copies a scalar's text into *out (owned by the caller's struct). */
static lf_status want_string(ctx *c, const lf_cfg_value *n, char **out)
{
    const char *s = NULL;
    lf_status st = want_scalar(c, n, "text", &s);
    if (st)
        return st;
    char *copy = strdup(s);
    if (!copy)
        return nomem(c);
    free(*out);
    *out = copy;
    return LF_OK;
}

/* Whether the atom \X (X the character after the backslash) matches nothing: glibc's
 * word and buffer anchors. */
static bool re_empty_escape(char x)
{
    return x == 'b' || x == 'B' || x == '<' || x == '>' || x == '`' || x == '\'';
}

/* One group level of re_too_hostile: the size so far with repetitions written out,
 * the last atom's, and whether the alternative so far can match nothing (every atom
 * can), whether it could before its last atom, whether the last atom can, and whether
 * an earlier alternative of the group can. */
typedef struct re_level {
    double sum, last;
    bool alt, before, lastnull, other;
} re_level;

static const re_level re_level_new = {0, 0, true, true, false, false};

/* Past the bracket expression at p ('['). */
static const char *re_bracket_end(const char *p)
{
    const char *q = p + 1;
    q += *q == '^';
    q += *q == ']';
    while (*q && *q != ']') {
        if (*q == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.')) {
            const char *end = strchr(q + 2, q[1]);
            while (end && end[1] != ']')
                end = strchr(end + 1, q[1]);
            q = end ? end + 2 : q + 1;
        } else {
            q++;
        }
    }
    return *q ? q + 1 : q;
}

/* The interval at p ('{': {n}, {n,m}, {n,} and glibc's {,m}): the copies it writes
 * out, whether it lets the atom match nothing (n = 0); returns what follows. */
static const char *re_interval(const char *p, double *factor, bool *empties)
{
    const char *q = p + 1;
    double lo = 0, hi = 0;
    while (*q >= '0' && *q <= '9')
        lo = lo * 10 + (*q++ - '0');
    if (*q != ',') {
        hi = lo;
    } else if (*++q >= '0' && *q <= '9') {
        while (*q >= '0' && *q <= '9')
            hi = hi * 10 + (*q++ - '0');
    } else {
        hi = lo + 1; /* {n,}: n copies and a star */
    }
    *factor = hi < 1 ? 1 : hi > CFG_RE_MAX_PARTS ? CFG_RE_MAX_PARTS + 1 : hi;
    *empties = lo < 1;
    return *q == '}' ? q + 1 : q;
}

/* Why glibc's regcomp must not see pattern, or NULL. regcomp writes every repetition
 * out (x+ is x x*, x{3} is x x x, x{2}{2} four x), so stacked or nested repetitions
 * grow its tree exponentially (25 `+` after one letter took more than 20 GB), it
 * recurses once per group level (30000 `(` overflow the stack), and a back-reference
 * (a glibc extension to EREs) makes matching exponential in the data, which is
 * untrusted. So: the size with every repetition written out (an atom 1, a group the
 * sum of its parts, `+` x2, {n} xn, {n,m} and {,m} xm, {n,} x(n+1)) is capped, and so
 * is the group nesting; \1..\9 are refused. And any repetition of something that
 * can already match nothing (`()`, an anchor, a group with an empty alternative,
 * anything under * ? or {0,m}) is refused: regcomp's closure over the empty paths
 * such a pattern makes is exponential far below the size cap (the fuzzer found
 * `($)+++++`: 7 s, and eight `a??????????` before `f?*?`: 19 s; `(a*){20000}` 2.5 s).
 * Stacked repetitions (a**, a?+) are undefined in POSIX EREs anyway, and a group's
 * form is redundant: (a*)+ is a*, (a?)? is a?, (a?){3} is a{0,3}. One pass over the
 * pattern; syntax errors are left to regcomp. *parts gets the size. */
static const char *re_too_hostile(const char *pattern, double *parts)
{
    re_level lv[CFG_RE_MAX_GROUPS + 1] = {re_level_new};
    int d = 0;
    for (const char *p = pattern; *p;) {
        double factor = 0; /* > 0: a repetition of the last atom */
        double atom = 1;   /* otherwise an atom of this size */
        bool null = false;    /* ... that can match nothing */
        bool empties = false; /* the repetition lets it match nothing: * ? {0,m} */
        if (*p == '\\') {
            if (p[1] >= '1' && p[1] <= '9')
                return "back-references (\\1 to \\9) are not supported";
            null = re_empty_escape(p[1]);
            p += p[1] ? 2 : 1;
        } else if (*p == '^' || *p == '$') {
            null = true;
            p++;
        } else if (*p == '[') { /* bracket expression: one atom */
            p = re_bracket_end(p);
        } else if (*p == '(') {
            if (d == CFG_RE_MAX_GROUPS)
                return "groups nested too deeply (more than " CFG_STR(
                    CFG_RE_MAX_GROUPS) " levels)";
            lv[++d] = re_level_new;
            p++;
            continue;
        } else if (*p == ')' && d > 0) {
            atom = lv[d].sum > 1 ? lv[d].sum : 1;
            null = lv[d].alt || lv[d].other;
            d--;
            p++;
        } else if (*p == '*' || *p == '?' || *p == '+') {
            factor = *p == '+' ? 2 : 1;
            empties = *p != '+';
            p++;
        } else if (*p == '{' && ((p[1] >= '0' && p[1] <= '9') || p[1] == ',')) {
            p = re_interval(p, &factor, &empties);
        } else if (*p == '|') {
            bool other = lv[d].other || lv[d].alt;
            double sum = lv[d].sum;
            lv[d] = re_level_new;
            lv[d].sum = sum;
            lv[d].other = other;
            p++;
            continue;
        } else {
            p++;
        }
        re_level *l = &lv[d];
        if (factor > 0) { /* the last atom, repeated: replace its size */
            if (l->lastnull)
                return "repeats something that can already match nothing (like a**, a?+, "
                       "(a*)+ or ($)?): write the repetition once (a*, a?, a{0,3})";
            l->sum += l->last * (factor - 1);
            l->last *= factor;
            l->lastnull = empties;
            l->alt = l->before && empties;
        } else {
            l->sum += atom;
            l->last = atom;
            l->before = l->alt;
            l->lastnull = null;
            l->alt = l->alt && null;
        }
        if (l->sum > CFG_RE_MAX_PARTS)
            return "too large once its repetitions are written out (more than " CFG_STR(
                CFG_RE_MAX_PARTS) " parts)";
    }
    *parts = lv[0].sum;
    return NULL;
}

static lf_status compile_re(ctx *c, const lf_cfg_value *n, const char *pattern, regex_t *re)
{
    double parts = 0;
    const char *hostile = re_too_hostile(pattern, &parts);
    if (hostile)
        return fail(c, n, "bad regex '%s': %s", pattern, hostile);
    /* regcomp takes about 100 bytes a part and 1 KB a regex, and aliases can make
     * one pattern compile many times: all of them share a budget */
    c->cfg->built_re_parts += 16 + (long)parts;
    if (c->cfg->built_re_parts > CFG_RE_MAX_TOTAL)
        return fail(c, n, "too many or too large regexes (more than %ld parts in all)",
                    CFG_RE_MAX_TOTAL);
    int rc = regcomp(re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rc != 0) {
        char why[256];
        regerror(rc, re, why, sizeof why);
        return fail(c, n, "bad regex '%s': %s", pattern, why);
    }
    return LF_OK;
}

/* ---- table-driven maps ---------------------------------------------------------- */

typedef lf_status (*key_fn)(ctx *c, const lf_cfg_value *v, void *obj);
typedef void *(*enter_fn)(void *obj);

/* One key of a map: `fn` reads its value into obj; or, for a map of settings, `sub`
 * (nsub keys) is walked over the object that `enter` returns (obj itself when NULL),
 * and a key path may go on into it. */
typedef struct key_entry {
    const char *name;
    key_fn fn;
    const struct key_entry *sub;
    size_t nsub;
    enter_fn enter;
    bool required;
} key_entry;

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))
#define KEY(n, f) {.name = (n), .fn = (f)}
#define KEY_REQUIRED(n, f) {.name = (n), .fn = (f), .required = true}
#define KEY_MAP(n, t, e) {.name = (n), .sub = (t), .nsub = NKEYS(t), .enter = (e)}

static const lf_cfg_pair *find_pair(const lf_cfg_value *map, const char *name)
{
    for (const lf_cfg_pair *p = map->pairs; p < map->pairs + map->npairs; p++)
        if (key_is_text(p->key) && strcmp(p->key->text, name) == 0)
            return p;
    return NULL;
}

static const key_entry *find_entry(const key_entry *tab, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tab[i].name, name) == 0)
            return &tab[i];
    return NULL;
}

static lf_status walk_map(ctx *c, const lf_cfg_value *map, const key_entry *tab, size_t n,
                          void *obj);

/* Reads v, not null, for the key `e` of obj; the path names the key already. */
static lf_status read_entry(ctx *c, const key_entry *e, const lf_cfg_value *v, void *obj)
{
    if (!e->sub)
        return e->fn(c, v, obj);
    return walk_map(c, v, e->sub, e->nsub, e->enter ? e->enter(obj) : obj);
}

/* Checks every key of `map` against the table (unknown, duplicate, non-text keys are
 * errors), then reads the keys present and not null in table order. */
static lf_status walk_map(ctx *c, const lf_cfg_value *map, const key_entry *tab, size_t n,
                          void *obj)
{
    if (map->kind != LF_CFG_MAP)
        return fail(c, map, "expected a map, got %s", kind(map));
    for (const lf_cfg_pair *p = map->pairs; p < map->pairs + map->npairs; p++) {
        const char *name = NULL;
        lf_status st = want_key(c, p->key, &name);
        if (st)
            return st;
        if (!find_entry(tab, n, name))
            return fail_key(c, p->key, "unknown");
        if (find_pair(map, name) != p)
            return fail_key(c, p->key, "duplicate");
    }
    for (size_t i = 0; i < n; i++) {
        const lf_cfg_pair *p = find_pair(map, tab[i].name);
        const lf_cfg_value *v = p ? p->value : NULL;
        if (!v || is_null(v)) {
            if (tab[i].required)
                return fail(c, map, "missing key '%s'", tab[i].name);
            continue;
        }
        size_t old = path_key(c, tab[i].name);
        lf_status st = read_entry(c, &tab[i], v, obj);
        if (st)
            return st;
        path_pop(c, old);
    }
    return LF_OK;
}

/* A list of maps (personas, fit and engagement rules) read into `arr`, an array of n
 * zeroed elements of `size` bytes that the caller has allocated with want_list's n and
 * already stored in the configuration: each element counts in *count before it is
 * read (so an error leaves the configuration releasable), gets its defaults from
 * `init`, then its keys from walk_map. */
typedef void (*item_init_fn)(void *elem, const lf_cfg_value *item);

static lf_status walk_items(ctx *c, const lf_cfg_value *list, void *arr, size_t size,
                            size_t *count, const key_entry *keys, size_t nkeys,
                            item_init_fn init)
{
    size_t n = list->nitems;
    for (size_t i = 0; i < n; i++) {
        const lf_cfg_value *item = list_item(list, i);
        void *elem = (char *)arr + size * (*count)++;
        size_t old = path_index(c, i);
        lf_status st;
        init(elem, item);
        if ((st = spend(c, item)) || (st = walk_map(c, item, keys, nkeys, elem)))
            return st;
        path_pop(c, old);
    }
    return LF_OK;
}

/* ---- durations ------------------------------------------------------------------ */

lf_status lf_duration_parse(const char *s, int64_t bday_usec, lf_duration *out, lf_error *err)
{
    static const struct { const char *unit; lf_clock clock; int64_t usec; } units[] = {
        {"m", LF_CLOCK_CALENDAR, 60 * LF_USEC_PER_SEC},
        {"h", LF_CLOCK_CALENDAR, LF_USEC_PER_HOUR},
        {"d", LF_CLOCK_CALENDAR, LF_USEC_PER_DAY},
        {"bh", LF_CLOCK_BUSINESS, LF_USEC_PER_HOUR},
        {"bd", LF_CLOCK_BUSINESS, 0}, /* bday_usec */
    };
    size_t len = strlen(s);
    const char *p = s;
    int64_t whole = 0;
    double frac = 0, scale = 0.1;
    if (len == 0 || len >= sizeof out->text || *p < '0' || *p > '9')
        return lf_errorf(err, LF_ECONFIG, "bad duration '%s'", s);
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > INT64_C(100000000000))
            return lf_errorf(err, LF_ECONFIG, "bad duration '%s': too long", s);
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return lf_errorf(err, LF_ECONFIG, "bad duration '%s'", s);
        for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
            frac += (*p - '0') * scale;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(p, units[i].unit) != 0)
            continue;
        int64_t unit = units[i].usec ? units[i].usec : bday_usec;
        if (unit <= 0)
            return lf_errorf(err, LF_ECONFIG, "bad duration '%s': no working hours", s);
        if (whole > (INT64_MAX / 2) / unit)
            return lf_errorf(err, LF_ECONFIG, "bad duration '%s': too long", s);
        int64_t usec = whole * unit + (int64_t)llround(frac * (double)unit);
        if (usec <= 0)
            return lf_errorf(err, LF_ECONFIG, "bad duration '%s': must be more than 0", s);
        out->clock = units[i].clock;
        out->usec = usec;
        memcpy(out->text, s, len + 1);
        return LF_OK;
    }
    return lf_errorf(err, LF_ECONFIG, "bad duration '%s'", s);
}

/* Reads a duration node; `calendar_only` refuses the business units. */
static lf_status want_duration(ctx *c, const lf_cfg_value *n, bool calendar_only, lf_duration *out)
{
    const char *s = NULL;
    lf_error e;
    lf_status st = want_scalar(c, n, "a duration", &s);
    if (st)
        return st;
    if (lf_duration_parse(s, lf_calendar_day_length(&c->cfg->calendar), out, &e) != LF_OK)
        return fail(c, n, "%s", e.msg);
    if (calendar_only && out->clock != LF_CLOCK_CALENDAR)
        return fail(c, n, "must be a calendar duration (m, h or d), got '%s'", s);
    return LF_OK;
}

/* ---- conditions ----------------------------------------------------------------- */

static void cond_release(lf_cond *k)
{
    free(k->attr);
    for (size_t i = 0; i < k->nvalues; i++)
        free(k->values[i]);
    free(k->values);
    if (k->has_re)
        regfree(&k->re);
    for (size_t i = 0; i < k->nkids; i++)
        cond_release(&k->kids[i]);
    free(k->kids);
    memset(k, 0, sizeof *k);
}

static lf_status add_value(ctx *c, const lf_cfg_value *n, lf_cond *k)
{
    lf_status st = spend(c, n);
    if (st)
        return st;
    st = want_string(c, n, &k->values[k->nvalues]);
    if (st)
        return st;
    k->nvalues++;
    return LF_OK;
}

static lf_status op_equals(ctx *c, const lf_cfg_value *v, lf_cond *k)
{
    if (!(k->values = calloc(1, sizeof *k->values)))
        return nomem(c);
    return add_value(c, v, k);
}

static lf_status op_in(ctx *c, const lf_cfg_value *v, lf_cond *k)
{
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    if (n == 0)
        return fail(c, v, "expected at least one value");
    if (!(k->values = calloc(n, sizeof *k->values)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        size_t old = path_index(c, i);
        if ((st = add_value(c, list_item(v, i), k)))
            return st;
        path_pop(c, old);
    }
    return LF_OK;
}

static lf_status op_between(ctx *c, const lf_cfg_value *v, lf_cond *k)
{
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    if (n != 2)
        return fail(c, v, "expected two numbers [low, high], got %zu values", n);
    for (size_t i = 0; i < 2; i++) {
        size_t old = path_index(c, i);
        if ((st = want_number(c, list_item(v, i), i == 0 ? &k->lo : &k->hi)))
            return st;
        path_pop(c, old);
    }
    if (k->lo > k->hi)
        return fail(c, v, "low bound %g is above high bound %g", k->lo, k->hi);
    return LF_OK;
}

static lf_status op_at_least(ctx *c, const lf_cfg_value *v, lf_cond *k)
{
    return want_number(c, v, &k->lo);
}

static lf_status op_at_most(ctx *c, const lf_cfg_value *v, lf_cond *k)
{
    return want_number(c, v, &k->hi);
}

static lf_status op_matches(ctx *c, const lf_cfg_value *v, lf_cond *k)
{
    const char *s = NULL;
    lf_status st = want_scalar(c, v, "a regex", &s);
    if (st || (st = compile_re(c, v, s, &k->re)))
        return st;
    k->has_re = true;
    return LF_OK;
}

/* present: false is absent, absent: false is present. */
static lf_status op_present(ctx *c, const lf_cfg_value *v, lf_cond *k)
{
    bool yes = false;
    lf_status st = want_bool(c, v, &yes);
    if (st)
        return st;
    if (!yes)
        k->op = k->op == LF_COND_PRESENT ? LF_COND_ABSENT : LF_COND_PRESENT;
    return LF_OK;
}

typedef lf_status (*op_fn)(ctx *c, const lf_cfg_value *v, lf_cond *k);

static const struct {
    const char *name;
    lf_cond_op op;
    op_fn fn;
} cond_ops[] = {
    {"equals", LF_COND_EQUALS, op_equals},   {"in", LF_COND_IN, op_in},
    {"between", LF_COND_BETWEEN, op_between}, {"at_least", LF_COND_AT_LEAST, op_at_least},
    {"at_most", LF_COND_AT_MOST, op_at_most}, {"matches", LF_COND_MATCHES, op_matches},
    {"present", LF_COND_PRESENT, op_present}, {"absent", LF_COND_ABSENT, op_present},
};

/* The combinators all/any/not, shared by attribute maps and test maps. */
static bool combinator(const char *name, lf_cond_op *op)
{
    static const struct { const char *name; lf_cond_op op; } combs[] = {
        {"all", LF_COND_ALL}, {"any", LF_COND_ANY}, {"not", LF_COND_NOT}};
    for (size_t i = 0; i < sizeof combs / sizeof combs[0]; i++)
        if (strcmp(name, combs[i].name) == 0) {
            *op = combs[i].op;
            return true;
        }
    return false;
}

/* A map's keys as text, refusing duplicates (compared case-insensitively, since
 * attribute names are). */
static lf_status check_keys(ctx *c, const lf_cfg_value *map)
{
    for (const lf_cfg_pair *p = map->pairs; p < map->pairs + map->npairs; p++) {
        const lf_cfg_value *k = p->key;
        const char *name = NULL;
        lf_status st = want_key(c, k, &name);
        if (st)
            return st;
        for (const lf_cfg_pair *q = map->pairs; q < p; q++)
            if (ieq(q->key->text, name))
                return fail_key(c, k, "duplicate");
    }
    return LF_OK;
}

typedef lf_status (*cond_fn)(ctx *c, const lf_cfg_value *n, const char *attr, lf_cond *out);

/* Fills a combinator node: all/any take a list of maps, not takes one map; each map
 * is read by `sub` (attribute maps or test maps). */
static lf_status parse_comb(ctx *c, const lf_cfg_value *v, lf_cond_op op, cond_fn sub,
                            const char *attr, lf_cond *k)
{
    lf_status st;
    k->op = op;
    if (op == LF_COND_NOT) {
        if (!(k->kids = calloc(1, sizeof *k->kids)))
            return nomem(c);
        k->nkids = 1;
        return sub(c, v, attr, &k->kids[0]);
    }
    size_t n = 0;
    if ((st = want_list(c, v, &n)))
        return st;
    if (n == 0)
        return fail(c, v, "expected at least one condition");
    if (!(k->kids = calloc(n, sizeof *k->kids)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        size_t old = path_index(c, i);
        k->nkids++;
        if ((st = sub(c, list_item(v, i), attr, &k->kids[i])))
            return st;
        path_pop(c, old);
    }
    return LF_OK;
}

static lf_status parse_tests(ctx *c, const lf_cfg_value *n, const char *attr, lf_cond *out);

/* One key of a test map: an operator (equals, in, ...) or a combinator. */
static lf_status parse_test(ctx *c, const char *name, const lf_cfg_value *v, const char *attr,
                            lf_cond *k)
{
    lf_cond_op op;
    lf_status st = spend(c, v);
    if (st)
        return st;
    if (combinator(name, &op))
        return parse_comb(c, v, op, parse_tests, attr, k);
    for (size_t i = 0; i < sizeof cond_ops / sizeof cond_ops[0]; i++) {
        if (strcmp(cond_ops[i].name, name) != 0)
            continue;
        k->op = cond_ops[i].op;
        if (attr && !(k->attr = strdup(attr)))
            return nomem(c);
        return cond_ops[i].fn(c, v, k);
    }
    return LF_ECONFIG; /* unreachable: keys were checked by the caller */
}

static bool known_test(const char *name)
{
    lf_cond_op op;
    for (size_t i = 0; i < sizeof cond_ops / sizeof cond_ops[0]; i++)
        if (strcmp(cond_ops[i].name, name) == 0)
            return true;
    return combinator(name, &op);
}

/* A test map for one value ({matches: "x"}, {at_least: 1, at_most: 9}); `attr` is the
 * attribute the leaves test (NULL for an engagement detail). One key is that test,
 * several are an ALL. */
static lf_status parse_tests(ctx *c, const lf_cfg_value *n, const char *attr, lf_cond *out)
{
    lf_status st;
    if (n->kind != LF_CFG_MAP)
        return fail(c, n, "expected a map of tests (equals, in, between, at_least, at_most, "
                          "matches, present, absent), got %s", kind(n));
    size_t np = n->npairs;
    if (np == 0)
        return fail(c, n, "expected at least one test");
    if (++c->depth > CFG_MAX_DEPTH)
        return fail(c, n, "conditions nested too deeply (more than %d levels)", CFG_MAX_DEPTH);
    if ((st = check_keys(c, n)))
        return st;
    for (size_t i = 0; i < np; i++) {
        const lf_cfg_value *k = n->pairs[i].key;
        if (!known_test(k->text))
            return fail_key(c, k, "unknown");
    }
    if (np > 1) {
        out->op = LF_COND_ALL;
        if (!(out->kids = calloc(np, sizeof *out->kids)))
            return nomem(c);
    }
    for (size_t i = 0; i < np; i++) {
        const lf_cfg_pair *p = &n->pairs[i];
        const char *name = p->key->text;
        lf_cond *k = out;
        if (np > 1)
            k = &out->kids[out->nkids++];
        size_t old = path_key(c, name);
        if ((st = parse_test(c, name, p->value, attr, k)))
            return st;
        path_pop(c, old);
    }
    c->depth--;
    return LF_OK;
}

/* An attribute map (`when`): every key is an attribute name mapping to a test map, or
 * all/any/not over attribute maps; the result is an ALL over the keys. */
static lf_status parse_when(ctx *c, const lf_cfg_value *n, const char *unused, lf_cond *out)
{
    lf_status st;
    (void)unused;
    out->op = LF_COND_ALL;
    if (n->kind != LF_CFG_MAP)
        return fail(c, n, "expected a map of attribute conditions, got %s", kind(n));
    if (++c->depth > CFG_MAX_DEPTH)
        return fail(c, n, "conditions nested too deeply (more than %d levels)", CFG_MAX_DEPTH);
    if ((st = spend(c, n)) || (st = check_keys(c, n)))
        return st;
    size_t np = n->npairs;
    if (np && !(out->kids = calloc(np, sizeof *out->kids)))
        return nomem(c);
    for (size_t i = 0; i < np; i++) {
        const lf_cfg_pair *p = &n->pairs[i];
        const char *name = p->key->text;
        const lf_cfg_value *v = p->value;
        lf_cond *k = &out->kids[out->nkids++];
        lf_cond_op op;
        size_t old = path_key(c, name);
        if ((st = spend(c, v)))
            return st;
        if (combinator(name, &op)) {
            st = parse_comb(c, v, op, parse_when, NULL, k);
        } else {
            char *attr = strdup(name);
            if (!attr)
                return nomem(c);
            lower(attr);
            st = parse_tests(c, v, attr, k);
            free(attr);
        }
        if (st)
            return st;
        path_pop(c, old);
    }
    c->depth--;
    return LF_OK;
}

/* ---- timezone, calendar, sla, speed_to_lead --------------------------------------- */

static lf_status key_timezone(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    const char *s = NULL;
    lf_tz *tz = NULL;
    lf_error e;
    lf_status st = want_scalar(c, v, "a time zone name", &s);
    if (st)
        return st;
    if ((st = lf_tz_load(&tz, s, &e)) != LF_OK)
        return st == LF_ENOMEM ? nomem(c) : fail(c, v, "%s", e.msg);
    char *name = strdup(s);
    if (!name) {
        lf_tz_free(tz);
        return nomem(c);
    }
    free(cfg->timezone);
    cfg->timezone = name;
    lf_tz_free(cfg->tz);
    cfg->tz = tz;
    cfg->calendar.tz = tz;
    return LF_OK;
}

static lf_status key_workdays(ctx *c, const lf_cfg_value *v, void *obj)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    lf_calendar *cal = obj;
    size_t n = 0;
    uint8_t mask = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++) {
        const lf_cfg_value *item = list_item(v, i);
        const char *s = NULL;
        size_t old = path_index(c, i), d = 0;
        if ((st = want_scalar(c, item, "a weekday", &s)))
            return st;
        while (d < 7 && !ieq(s, days[d]))
            d++;
        if (d == 7)
            return fail(c, item, "bad weekday '%s' (expected mon, tue, wed, thu, fri, sat or sun)",
                        s);
        mask |= (uint8_t)(1u << d);
        path_pop(c, old);
    }
    if (!mask)
        return fail(c, v, "no workdays");
    cal->workdays = mask;
    return LF_OK;
}

/* "HH:MM" at s (exactly 5 bytes); 24:00 only when allow24. Returns minutes or -1. */
static int clock_minutes(const char *s, bool allow24)
{
    for (int i = 0; i < 5; i++)
        if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (!allow24 || m != 0)))
        return -1;
    return h * 60 + m;
}

static lf_status key_hours(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_calendar *cal = obj;
    const char *s = NULL;
    lf_status st = want_scalar(c, v, "working hours", &s);
    if (st)
        return st;
    int a = strlen(s) == 11 && s[5] == '-' ? clock_minutes(s, false) : -1;
    int b = a >= 0 ? clock_minutes(s + 6, true) : -1;
    if (a < 0 || b < 0 || a >= b)
        return fail(c, v, "bad hours '%s' (expected HH:MM-HH:MM with start before end)", s);
    cal->start_min = a;
    cal->end_min = b;
    return LF_OK;
}

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static lf_status key_holidays(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_calendar *cal = obj;
    size_t n = 0, m = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    int32_t *days = n ? malloc(n * sizeof *days) : NULL;
    if (n && !days)
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        const lf_cfg_value *item = list_item(v, i);
        const char *s = NULL;
        size_t old = path_index(c, i);
        lf_error e;
        if ((st = want_scalar(c, item, "a date", &s)) ||
            (lf_date_parse(s, strlen(s), &days[i], &e) != LF_OK &&
             (st = fail(c, item, "bad date '%s' (expected YYYY-MM-DD)", s)))) {
            free(days);
            return st;
        }
        path_pop(c, old);
    }
    if (n)
        qsort(days, n, sizeof *days, cmp_day);
    for (size_t i = 0; i < n; i++) /* drop repeats */
        if (m == 0 || days[m - 1] != days[i])
            days[m++] = days[i];
    free(cal->holidays);
    cal->holidays = days;
    cal->nholidays = m;
    return LF_OK;
}

static const key_entry calendar_keys[] = {
    KEY("workdays", key_workdays),
    KEY("hours", key_hours),
    KEY("holidays", key_holidays),
};

static lf_status key_accept_within(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    lf_status st = want_duration(c, v, false, &cfg->sla);
    if (st == LF_OK)
        cfg->has_sla = true;
    return st;
}

static const key_entry sla_keys[] = {KEY("accept_within", key_accept_within)};

static lf_status key_target(ctx *c, const lf_cfg_value *v, void *obj)
{
    return want_duration(c, v, true, &((lf_config *)obj)->speed_target);
}

static const key_entry speed_keys[] = {KEY("target", key_target)};

/* ---- sources and personas --------------------------------------------------------- */

typedef struct source_tmp {
    lf_source_rule r;
    bool re_ok;
} source_tmp;

static lf_status key_src_match(ctx *c, const lf_cfg_value *v, void *obj)
{
    source_tmp *t = obj;
    lf_status st = want_string(c, v, &t->r.pattern);
    if (st || (st = compile_re(c, v, t->r.pattern, &t->r.re)))
        return st;
    t->re_ok = true;
    return LF_OK;
}

static lf_status key_src_channel(ctx *c, const lf_cfg_value *v, void *obj)
{
    source_tmp *t = obj;
    lf_status st = want_string(c, v, &t->r.channel);
    if (st == LF_OK && !t->r.channel[0])
        return fail(c, v, "must not be empty");
    return st;
}

static lf_status key_src_origin(ctx *c, const lf_cfg_value *v, void *obj)
{
    source_tmp *t = obj;
    lf_status st = want_string(c, v, &t->r.origin);
    if (st)
        return st;
    lower(t->r.origin);
    if (strcmp(t->r.origin, "marketing") != 0 && strcmp(t->r.origin, "sales") != 0)
        return fail(c, v, "bad origin '%s' (expected marketing or sales)",
                    v->text);
    return LF_OK;
}

static const key_entry source_keys[] = {
    KEY_REQUIRED("match", key_src_match),
    KEY_REQUIRED("channel", key_src_channel),
    KEY("origin", key_src_origin),
};

static void source_release(lf_source_rule *r, bool re_ok)
{
    if (re_ok)
        regfree(&r->re);
    free(r->pattern);
    free(r->channel);
    free(r->origin);
}

/* Setting a list again replaces it: the clear functions drop the old one. */
static void sources_clear(lf_config *cfg)
{
    for (size_t i = 0; i < cfg->nsources; i++)
        source_release(&cfg->sources[i], true);
    free(cfg->sources);
    cfg->sources = NULL;
    cfg->nsources = 0;
}

static lf_status key_sources(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    sources_clear(cfg);
    if (n && !(cfg->sources = calloc(n, sizeof *cfg->sources)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        const lf_cfg_value *item = list_item(v, i);
        source_tmp t = {0};
        size_t old = path_index(c, i);
        if ((st = spend(c, item)) ||
            (st = walk_map(c, item, source_keys, NKEYS(source_keys), &t))) {
            source_release(&t.r, t.re_ok);
            return st;
        }
        cfg->sources[cfg->nsources++] = t.r;
        path_pop(c, old);
    }
    return LF_OK;
}

static lf_status key_persona_name(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_persona_rule *p = obj;
    lf_status st = want_string(c, v, &p->name);
    if (st == LF_OK && !p->name[0])
        return fail(c, v, "must not be empty");
    return st;
}

static lf_status key_persona_when(ctx *c, const lf_cfg_value *v, void *obj)
{
    return parse_when(c, v, NULL, &((lf_persona_rule *)obj)->when);
}

static const key_entry persona_keys[] = {
    KEY_REQUIRED("name", key_persona_name),
    KEY("when", key_persona_when), /* none: everyone (a catch-all persona) */
};

static void persona_init(void *elem, const lf_cfg_value *item)
{
    (void)item;
    ((lf_persona_rule *)elem)->when.op = LF_COND_ALL;
}

static void personas_clear(lf_config *cfg)
{
    for (size_t i = 0; i < cfg->npersonas; i++) {
        free(cfg->personas[i].name);
        cond_release(&cfg->personas[i].when);
    }
    free(cfg->personas);
    cfg->personas = NULL;
    cfg->npersonas = 0;
}

static lf_status key_personas(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    personas_clear(cfg);
    if (n && !(cfg->personas = calloc(n, sizeof *cfg->personas)))
        return nomem(c);
    return walk_items(c, v, cfg->personas, sizeof *cfg->personas, &cfg->npersonas, persona_keys,
                      NKEYS(persona_keys), persona_init);
}

/* ---- scoring ---------------------------------------------------------------------- */

static lf_status key_fit_when(ctx *c, const lf_cfg_value *v, void *obj)
{
    return parse_when(c, v, NULL, &((lf_fit_rule *)obj)->when);
}

static lf_status key_fit_points(ctx *c, const lf_cfg_value *v, void *obj)
{
    return want_number(c, v, &((lf_fit_rule *)obj)->points);
}

static const key_entry fit_keys[] = {
    KEY_REQUIRED("when", key_fit_when),
    KEY_REQUIRED("points", key_fit_points),
};

static void fit_init(void *elem, const lf_cfg_value *item)
{
    lf_fit_rule *r = elem;
    r->when.op = LF_COND_ALL;
    r->line = line_of(item);
}

static void fit_clear(lf_scoring *s)
{
    for (size_t i = 0; i < s->nfit; i++)
        cond_release(&s->fit[i].when);
    free(s->fit);
    s->fit = NULL;
    s->nfit = 0;
}

static lf_status key_fit(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_scoring *s = obj;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    fit_clear(s);
    if (n && !(s->fit = calloc(n, sizeof *s->fit)))
        return nomem(c);
    return walk_items(c, v, s->fit, sizeof *s->fit, &s->nfit, fit_keys, NKEYS(fit_keys),
                      fit_init);
}

static lf_status key_eng_type(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_engagement_rule *r = obj;
    lf_status st = want_string(c, v, &r->type);
    if (st)
        return st;
    lower(r->type);
    if (!r->type[0])
        return fail(c, v, "must not be empty");
    /* the reserved types are the lifecycle engine's (SPEC §2) */
    if (lf_event_kind_of(r->type, strlen(r->type)) != LF_EV_ACTIVITY)
        return fail(c, v, "'%s' is a lifecycle event, not an activity", r->type);
    return LF_OK;
}

static lf_status key_eng_detail(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_engagement_rule *r = obj;
    r->has_detail = true;
    return parse_tests(c, v, NULL, &r->detail);
}

static lf_status key_eng_points(ctx *c, const lf_cfg_value *v, void *obj)
{
    return want_number(c, v, &((lf_engagement_rule *)obj)->points);
}

static lf_status want_cap(ctx *c, const lf_cfg_value *v, double *out)
{
    lf_status st = want_number(c, v, out);
    if (st == LF_OK && *out < 0)
        return fail(c, v, "must be 0 or more, got '%s'", v->text);
    return st;
}

static lf_status key_eng_max_per_day(ctx *c, const lf_cfg_value *v, void *obj)
{
    return want_cap(c, v, &((lf_engagement_rule *)obj)->max_per_day);
}

static lf_status key_eng_max_total(ctx *c, const lf_cfg_value *v, void *obj)
{
    return want_cap(c, v, &((lf_engagement_rule *)obj)->max_total);
}

static const key_entry engagement_keys[] = {
    KEY_REQUIRED("type", key_eng_type),
    KEY("detail", key_eng_detail),
    KEY_REQUIRED("points", key_eng_points),
    KEY("max_per_day", key_eng_max_per_day),
    KEY("max_total", key_eng_max_total),
};

static void engagement_init(void *elem, const lf_cfg_value *item)
{
    lf_engagement_rule *r = elem;
    r->detail.op = LF_COND_ALL;
    r->max_per_day = -1; /* no cap */
    r->max_total = -1;
    r->line = line_of(item);
}

static void engagement_clear(lf_scoring *s)
{
    for (size_t i = 0; i < s->nengagement; i++) {
        free(s->engagement[i].type);
        cond_release(&s->engagement[i].detail);
    }
    free(s->engagement);
    s->engagement = NULL;
    s->nengagement = 0;
}

static lf_status key_engagement(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_scoring *s = obj;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    engagement_clear(s);
    if (n && !(s->engagement = calloc(n, sizeof *s->engagement)))
        return nomem(c);
    return walk_items(c, v, s->engagement, sizeof *s->engagement, &s->nengagement,
                      engagement_keys, NKEYS(engagement_keys), engagement_init);
}

static lf_status key_half_life(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_duration d = {0};
    lf_status st = want_duration(c, v, true, &d);
    if (st == LF_OK)
        ((lf_scoring *)obj)->half_life_usec = d.usec;
    return st;
}

static const key_entry decay_keys[] = {KEY("half_life", key_half_life)};

/* A grade letter: one ASCII letter, returned upper-case, or 0. */
static char grade_letter(const char *s)
{
    if (!s[0] || s[1])
        return 0;
    if (s[0] >= 'a' && s[0] <= 'z')
        return (char)(s[0] - 'a' + 'A');
    return s[0] >= 'A' && s[0] <= 'Z' ? s[0] : 0;
}

typedef struct grade_tmp {
    lf_grade g;
    const lf_cfg_value *key;
} grade_tmp;

static int cmp_grade(const void *a, const void *b)
{
    const grade_tmp *x = a, *y = b;
    if (x->g.cutoff != y->g.cutoff)
        return x->g.cutoff < y->g.cutoff ? 1 : -1;
    return (x->g.letter > y->g.letter) - (x->g.letter < y->g.letter);
}

/* grades: {A: 60, B: 40, C: 20}; stored by cut-off descending, which must also be
 * alphabetical, so that "below the last grade" is the next letter. */
static lf_status key_grades(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_scoring *s = obj;
    grade_tmp g[8];
    size_t n = 0;
    lf_status st;
    if (v->kind != LF_CFG_MAP)
        return fail(c, v, "expected a map, got %s", kind(v));
    if ((st = check_keys(c, v)))
        return st;
    if (v->npairs == 0)
        return fail(c, v, "no grades");
    if (v->npairs > 8)
        return fail(c, v, "too many grades (at most 8)");
    for (const lf_cfg_pair *p = v->pairs; p < v->pairs + v->npairs;
         p++, n++) {
        const lf_cfg_value *k = p->key;
        const char *name = k->text;
        size_t old = path_key(c, name);
        if (!(g[n].g.letter = grade_letter(name)))
            return fail(c, k, "bad grade '%s' (expected one letter A-Z)", name);
        if ((st = want_number(c, p->value, &g[n].g.cutoff)))
            return st;
        g[n].key = k;
        path_pop(c, old);
    }
    qsort(g, n, sizeof g[0], cmp_grade);
    for (size_t i = 1; i < n; i++) {
        size_t old = path_key(c, g[i].key->text);
        if (g[i].g.cutoff == g[i - 1].g.cutoff)
            return fail(c, g[i].key, "grade '%c' has the same cut-off as grade '%c'",
                        g[i].g.letter, g[i - 1].g.letter);
        if (g[i].g.letter < g[i - 1].g.letter)
            return fail(c, g[i].key, "grade '%c' must have a higher cut-off than grade '%c'",
                        g[i].g.letter, g[i - 1].g.letter);
        path_pop(c, old);
    }
    if (g[n - 1].g.letter == 'Z')
        return fail(c, g[n - 1].key, "no letter left for scores below grade 'Z'");
    for (size_t i = 0; i < n; i++)
        s->grades[i] = g[i].g;
    s->ngrades = n;
    s->grade_below = (char)(g[n - 1].g.letter + 1);
    return LF_OK;
}

static lf_status key_mql_fit(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_mql_rule *m = &((lf_scoring *)obj)->mql;
    m->has_fit = true;
    return want_number(c, v, &m->fit_at_least);
}

static lf_status key_mql_engagement(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_mql_rule *m = &((lf_scoring *)obj)->mql;
    m->has_engagement = true;
    return want_number(c, v, &m->engagement_at_least);
}

static lf_status key_mql_total(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_mql_rule *m = &((lf_scoring *)obj)->mql;
    m->has_total = true;
    return want_number(c, v, &m->total_at_least);
}

static lf_status key_mql_grade(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_scoring *s = obj;
    const char *text = NULL;
    char letters[3 * 8 + 1] = "";
    size_t used = 0;
    lf_status st = want_scalar(c, v, "a grade letter", &text);
    if (st)
        return st;
    char g = grade_letter(text);
    for (size_t i = 0; i < s->ngrades; i++) {
        if (g && s->grades[i].letter == g) {
            s->mql.has_grade = true;
            s->mql.grade_at_least = g;
            return LF_OK;
        }
        int w = snprintf(letters + used, sizeof letters - used, "%s%c", i ? ", " : "",
                         s->grades[i].letter);
        used += w > 0 ? (size_t)w : 0;
    }
    return fail(c, v, "no grade '%s' is configured (grades: %s)", text, letters);
}

static void require_clear(lf_mql_rule *m)
{
    for (size_t i = 0; i < m->nrequire; i++)
        free(m->require[i]);
    free(m->require);
    m->require = NULL;
    m->nrequire = 0;
}

static lf_status key_mql_require(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_mql_rule *m = &((lf_scoring *)obj)->mql;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    require_clear(m);
    if (n && !(m->require = calloc(n, sizeof *m->require)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        char *name = NULL;
        size_t old = path_index(c, i), j = 0;
        if ((st = want_string(c, list_item(v, i), &name)))
            return st;
        lower(name);
        while (j < m->nrequire && strcmp(m->require[j], name) != 0)
            j++;
        if (!name[0] || strcmp(name, "email") == 0 || j < m->nrequire)
            free(name); /* email is always required; repeats add nothing */
        else
            m->require[m->nrequire++] = name;
        path_pop(c, old);
    }
    return LF_OK;
}

static const key_entry mql_keys[] = {
    KEY("fit_at_least", key_mql_fit),
    KEY("engagement_at_least", key_mql_engagement),
    KEY("total_at_least", key_mql_total),
    KEY("grade_at_least", key_mql_grade),
    KEY("require", key_mql_require),
};

static lf_status key_band_width(ctx *c, const lf_cfg_value *v, void *obj)
{
    double w = 0;
    lf_status st = want_number(c, v, &w);
    if (st)
        return st;
    if (!(w > 0) || w != floor(w) || w > 1e9)
        return fail(c, v, "must be a whole number greater than 0, got '%s'",
                    v->text);
    ((lf_scoring *)obj)->band_width = w;
    return LF_OK;
}

/* grades before mql: grade_at_least must name a configured grade. */
static const key_entry scoring_keys[] = {
    KEY("fit", key_fit),
    KEY("engagement", key_engagement),
    KEY_MAP("decay", decay_keys, NULL),
    KEY("grades", key_grades),
    KEY_MAP("mql", mql_keys, NULL),
    KEY("band_width", key_band_width),
};

/* ---- goals and cost --------------------------------------------------------------- */

static lf_status want_goal(ctx *c, const lf_cfg_value *v, double *out)
{
    lf_status st = want_number(c, v, out);
    if (st == LF_OK && *out < 0)
        return fail(c, v, "must be 0 or more, got '%s'", v->text);
    return st;
}

static void goals_clear(lf_config *cfg)
{
    free(cfg->goals);
    cfg->goals = NULL;
    cfg->ngoals = 0;
    cfg->goal_default = -1;
    cfg->has_goal = false;
}

/* mqls_per_month: a number for every month, or {YYYY-MM: n, ..., default: n}. */
static lf_status key_mqls_per_month(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    lf_status st;
    goals_clear(cfg);
    if (v->kind == LF_CFG_SCALAR) {
        if ((st = want_goal(c, v, &cfg->goal_default)))
            return st;
        cfg->has_goal = true;
        return LF_OK;
    }
    if (v->kind != LF_CFG_MAP)
        return fail(c, v, "expected a number or a map of months, got %s", kind(v));
    if ((st = check_keys(c, v)))
        return st;
    size_t np = v->npairs;
    if (np && !(cfg->goals = calloc(np, sizeof *cfg->goals)))
        return nomem(c);
    for (const lf_cfg_pair *p = v->pairs; p < v->pairs + v->npairs; p++) {
        const lf_cfg_value *k = p->key;
        const char *name = k->text;
        size_t old = path_key(c, name);
        lf_error e;
        if (strcmp(name, "default") == 0) {
            if ((st = want_goal(c, p->value, &cfg->goal_default)))
                return st;
        } else {
            lf_month_goal *g = &cfg->goals[cfg->ngoals];
            if (lf_month_parse(name, strlen(name), &g->year, &g->month, &e) != LF_OK)
                return fail(c, k, "bad month '%s' (expected YYYY-MM or default)", name);
            for (size_t i = 0; i < cfg->ngoals; i++)
                if (cfg->goals[i].year == g->year && cfg->goals[i].month == g->month)
                    return fail(c, k, "month %04d-%02d given twice", g->year, g->month);
            if ((st = want_goal(c, p->value, &g->mqls)))
                return st;
            cfg->ngoals++;
        }
        path_pop(c, old);
    }
    cfg->has_goal = true;
    return LF_OK;
}

static const key_entry goals_keys[] = {KEY("mqls_per_month", key_mqls_per_month)};

static lf_status key_lag_days(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    const char *s = NULL;
    lf_status st = want_scalar(c, v, "'auto' or a number of days", &s);
    if (st)
        return st;
    if (strcmp(s, "auto") == 0) {
        cfg->lag_auto = true;
        return LF_OK;
    }
    size_t n = strspn(s, "0123456789");
    if (n == 0 || s[n] || n > 5)
        return fail(c, v, "expected 'auto' or a whole number of days (0 or more), got '%s'", s);
    cfg->lag_auto = false;
    cfg->lag_days = atoi(s);
    return LF_OK;
}

static const key_entry cost_keys[] = {KEY("lag_days", key_lag_days)};

/* ---- presets ---------------------------------------------------------------------- */

static void sf_statuses_clear(lf_config *cfg)
{
    for (size_t i = 0; i < cfg->nsf_statuses; i++) {
        free(cfg->sf_statuses[i].status);
        free(cfg->sf_statuses[i].type);
    }
    free(cfg->sf_statuses);
    cfg->sf_statuses = NULL;
    cfg->nsf_statuses = 0;
}

/* One status's event: `none` or a lifecycle event type (lower-cased). */
static lf_status want_status_event(ctx *c, const lf_cfg_value *v, char **out)
{
    const char *s = NULL;
    lf_status st = want_scalar(c, v, "none or a lifecycle event type", &s);
    if (st)
        return st;
    if (ieq(s, "none"))
        return LF_OK;
    if (lf_event_kind_of(s, strlen(s)) == LF_EV_ACTIVITY)
        return fail(c, v,
                    "expected none or a lifecycle event type (mql, accepted, rejected, "
                    "disqualified, contacted, opportunity, won, lost), got '%s'",
                    s);
    if (!(*out = strdup(s)))
        return nomem(c);
    lower(*out);
    return LF_OK;
}

/* presets.salesforce.statuses: {STATUS: none | TYPE, ...}, replacing an earlier map. */
static lf_status key_sf_statuses(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    lf_status st;
    sf_statuses_clear(cfg);
    if (v->kind != LF_CFG_MAP)
        return fail(c, v, "expected a map of statuses, got %s", kind(v));
    if ((st = check_keys(c, v)))
        return st;
    if (v->npairs && !(cfg->sf_statuses = calloc(v->npairs, sizeof *cfg->sf_statuses)))
        return nomem(c);
    for (const lf_cfg_pair *p = v->pairs; p < v->pairs + v->npairs; p++) {
        lf_preset_status *e = &cfg->sf_statuses[cfg->nsf_statuses++];
        size_t old = path_key(c, p->key->text);
        if ((st = spend(c, p->value)))
            return st;
        if (!(e->status = strdup(p->key->text)))
            return nomem(c);
        if ((st = want_status_event(c, p->value, &e->type)))
            return st;
        path_pop(c, old);
    }
    return LF_OK;
}

static const key_entry sf_keys[] = {KEY("statuses", key_sf_statuses)};
static const key_entry presets_keys[] = {KEY_MAP("salesforce", sf_keys, NULL)};

/* ---- server (SPEC §8) ------------------------------------------------------------- */

static void server_clear(lf_config *cfg)
{
    for (size_t i = 0; i < cfg->server.ncors_origins; i++)
        free(cfg->server.cors_origins[i]);
    free(cfg->server.cors_origins);
    free(cfg->server.listen);
    memset(&cfg->server, 0, sizeof cfg->server);
    cfg->server.max_body = 16 * 1024 * 1024;
}

/* server.max_body: a whole number of bytes, optionally with a unit (KiB/KB = 1024). */
static lf_status key_max_body(ctx *c, const lf_cfg_value *v, void *obj)
{
    static const struct { const char *unit; int64_t mult; } units[] = {
        {"", 1}, {"B", 1}, {"KiB", 1 << 10}, {"KB", 1 << 10}, {"K", 1 << 10},
        {"MiB", 1 << 20}, {"MB", 1 << 20}, {"M", 1 << 20},
        {"GiB", 1 << 30}, {"GB", 1 << 30}, {"G", 1 << 30},
    };
    lf_config *cfg = obj;
    const char *s = NULL;
    lf_status st = want_scalar(c, v, "a size", &s);
    if (st)
        return st;
    size_t n = strspn(s, "0123456789");
    const char *unit = s + n + strspn(s + n, " ");
    if (n > 0 && n <= 10) {
        int64_t num = strtoll(s, NULL, 10);
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (ieq(unit, units[i].unit) && num > 0 &&
                num <= (INT64_C(1) << 32) / units[i].mult) {
                cfg->server.max_body = num * units[i].mult;
                return LF_OK;
            }
    }
    return fail(c, v, "expected a size from 1 byte to 4GiB (bytes, or with KiB, MiB, GiB), "
                "got '%s'", s);
}

/* server.cors_origins: a list of origins "scheme://host[:port]", replacing an earlier
 * list; "*" is refused (an explicit list only). */
static lf_status key_cors_origins(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    for (size_t i = 0; i < cfg->server.ncors_origins; i++)
        free(cfg->server.cors_origins[i]);
    free(cfg->server.cors_origins);
    cfg->server.cors_origins = NULL;
    cfg->server.ncors_origins = 0;
    if (n && !(cfg->server.cors_origins = calloc(n, sizeof *cfg->server.cors_origins)))
        return nomem(c);
    for (size_t i = 0; i < n; i++) {
        const lf_cfg_value *item = list_item(v, i);
        const char *s = NULL;
        size_t old = path_index(c, i);
        if ((st = want_scalar(c, item, "an origin", &s)))
            return st;
        bool scheme = strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
        const char *host = s + (s[4] == 's' ? 8 : 7);
        if (!scheme || !*host || strlen(s) > 255 || strpbrk(host, "/?#*, \t\"'"))
            return fail(c, item, "expected an origin such as https://crm.example.com, "
                        "got '%s'", s);
        if (!(cfg->server.cors_origins[cfg->server.ncors_origins] = strdup(s)))
            return nomem(c);
        cfg->server.ncors_origins++;
        path_pop(c, old);
    }
    return LF_OK;
}

static lf_status key_server_listen(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    const char *s = NULL;
    lf_status st = want_scalar(c, v, "ADDR:PORT", &s);
    if (st)
        return st;
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1] || strlen(s) > 80 ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return fail(c, v, "expected ADDR:PORT (127.0.0.1:8080, [::1]:8080), got '%s'", s);
    return want_string(c, v, &cfg->server.listen);
}

/* A whole number in [lo, hi] into *out. */
static lf_status want_int_range(ctx *c, const lf_cfg_value *v, int lo, int hi, int *out)
{
    const char *s = NULL;
    lf_status st = want_scalar(c, v, "a whole number", &s);
    if (st)
        return st;
    size_t n = strspn(s, "0123456789");
    long x = n && !s[n] && n <= 6 ? strtol(s, NULL, 10) : -1;
    if (x < lo || x > hi)
        return fail(c, v, "expected a whole number from %d to %d, got '%s'", lo, hi, s);
    *out = (int)x;
    return LF_OK;
}

static lf_status key_server_threads(ctx *c, const lf_cfg_value *v, void *obj)
{
    return want_int_range(c, v, 1, 256, &((lf_config *)obj)->server.threads);
}

static lf_status key_server_timeout(ctx *c, const lf_cfg_value *v, void *obj)
{
    return want_int_range(c, v, 1, 3600, &((lf_config *)obj)->server.timeout);
}

static const key_entry server_keys[] = {
    KEY("listen", key_server_listen),   KEY("threads", key_server_threads),
    KEY("max_body", key_max_body),      KEY("cors_origins", key_cors_origins),
    KEY("timeout", key_server_timeout),
};

/* ---- webhooks and mail (alerts and delivery) ---------------------------------------- */

static const char *const alert_names[LF_ALERT_COUNT] = {"handoff.opened", "handoff.overdue",
                                                        "handoff.decided", "pacing.behind"};

const char *lf_alert_name(unsigned bit)
{
    for (unsigned i = 0; i < LF_ALERT_COUNT; i++)
        if (bit == 1u << i)
            return alert_names[i];
    return NULL;
}

unsigned lf_alert_parse(const char *name)
{
    for (unsigned i = 0; i < LF_ALERT_COUNT; i++)
        if (strcmp(name, alert_names[i]) == 0)
            return 1u << i;
    return 0;
}

static void webhooks_clear(lf_config *cfg)
{
    for (size_t i = 0; i < cfg->nwebhooks; i++) {
        free(cfg->webhooks[i].url);
        free(cfg->webhooks[i].secret_env);
    }
    free(cfg->webhooks);
    cfg->webhooks = NULL;
    cfg->nwebhooks = 0;
    cfg->webhook_events = 0;
}

/* A URL of one of the schemes, without spaces or control bytes, at most 2000 bytes. */
static bool url_ok(const char *s, const char *const *schemes, size_t nschemes)
{
    size_t len = strlen(s);
    if (len > 2000)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return false;
    for (size_t i = 0; i < nschemes; i++) {
        size_t n = strlen(schemes[i]);
        if (strncmp(s, schemes[i], n) == 0 && s[n] && s[n] != '/')
            return true;
    }
    return false;
}

static lf_status key_hook_url(ctx *c, const lf_cfg_value *v, void *obj)
{
    static const char *const schemes[] = {"http://", "https://"};
    lf_webhook *w = obj;
    lf_status st = want_string(c, v, &w->url);
    if (st == LF_OK && !url_ok(w->url, schemes, 2))
        return fail(c, v, "expected an http:// or https:// URL, got '%s'", w->url);
    return st;
}

static lf_status key_hook_secret_env(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_webhook *w = obj;
    lf_status st = want_string(c, v, &w->secret_env);
    if (st)
        return st;
    size_t n = strspn(w->secret_env, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_");
    if (!w->secret_env[0] || w->secret_env[n] || n > 128 ||
        (w->secret_env[0] >= '0' && w->secret_env[0] <= '9'))
        return fail(c, v, "expected the name of an environment variable (LEADFLOW_HOOK_SECRET), "
                    "got '%s'", w->secret_env);
    return LF_OK;
}

static lf_status key_hook_events(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_webhook *w = obj;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    if (n == 0)
        return fail(c, v, "expected at least one of handoff.opened, handoff.overdue, "
                    "handoff.decided, pacing.behind");
    w->events = 0;
    for (size_t i = 0; i < n; i++) {
        const lf_cfg_value *item = list_item(v, i);
        const char *s = NULL;
        size_t old = path_index(c, i);
        if ((st = want_scalar(c, item, "an event name", &s)))
            return st;
        unsigned bit = lf_alert_parse(s);
        if (!bit)
            return fail(c, item, "unknown event '%s' (expected handoff.opened, "
                        "handoff.overdue, handoff.decided or pacing.behind)", s);
        w->events |= bit;
        path_pop(c, old);
    }
    return LF_OK;
}

static lf_status key_hook_max_age(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_duration d;
    lf_status st = want_duration(c, v, true, &d);
    if (st == LF_OK)
        ((lf_webhook *)obj)->max_age_usec = d.usec;
    return st;
}

static const key_entry webhook_keys[] = {
    KEY_REQUIRED("url", key_hook_url),
    KEY_REQUIRED("secret_env", key_hook_secret_env),
    KEY_REQUIRED("events", key_hook_events),
    KEY("max_age", key_hook_max_age),
};

static void webhook_init(void *elem, const lf_cfg_value *item)
{
    lf_webhook *w = elem;
    w->max_age_usec = 24 * LF_USEC_PER_HOUR;
    w->line = line_of(item);
}

static lf_status key_webhooks(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    size_t n = 0;
    lf_status st = want_list(c, v, &n);
    if (st)
        return st;
    webhooks_clear(cfg);
    if (n && !(cfg->webhooks = calloc(n, sizeof *cfg->webhooks)))
        return nomem(c);
    st = walk_items(c, v, cfg->webhooks, sizeof *cfg->webhooks, &cfg->nwebhooks, webhook_keys,
                    NKEYS(webhook_keys), webhook_init);
    for (size_t i = 0; i < cfg->nwebhooks; i++)
        cfg->webhook_events |= cfg->webhooks[i].events;
    return st;
}

static void mail_clear(lf_config *cfg)
{
    free(cfg->mail.smtp_url);
    free(cfg->mail.from);
    memset(&cfg->mail, 0, sizeof cfg->mail);
}

static lf_status key_mail_smtp_url(ctx *c, const lf_cfg_value *v, void *obj)
{
    static const char *const schemes[] = {"smtp://", "smtps://"};
    lf_config *cfg = obj;
    free(cfg->mail.smtp_url);
    cfg->mail.smtp_url = NULL;
    lf_status st = want_string(c, v, &cfg->mail.smtp_url);
    if (st == LF_OK && !url_ok(cfg->mail.smtp_url, schemes, 2))
        return fail(c, v, "expected an smtp:// or smtps:// URL, got '%s'", cfg->mail.smtp_url);
    return st;
}

/* An address local@domain: no spaces, angle brackets, quotes or control bytes (it goes
 * into the message's From header and the SMTP envelope). */
bool lf_mail_address_ok(const char *s)
{
    const char *at = strchr(s, '@');
    size_t len = strlen(s);
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || len > 254)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || strchr("<>\"(),;:\\[]", s[i]) || s[i] == 0x7f)
            return false;
    return true;
}

static lf_status key_mail_from(ctx *c, const lf_cfg_value *v, void *obj)
{
    lf_config *cfg = obj;
    free(cfg->mail.from);
    cfg->mail.from = NULL;
    lf_status st = want_string(c, v, &cfg->mail.from);
    if (st == LF_OK && !lf_mail_address_ok(cfg->mail.from))
        return fail(c, v, "expected an address such as leadflow@example.com, got '%s'",
                    cfg->mail.from);
    return st;
}

static const key_entry mail_keys[] = {
    KEY("smtp_url", key_mail_smtp_url),
    KEY("from", key_mail_from),
};

static void *enter_calendar(void *obj)
{
    return &((lf_config *)obj)->calendar;
}

/* Any key of `scoring` (even an empty map) turns scoring on. */
static void *enter_scoring(void *obj)
{
    lf_config *cfg = obj;
    cfg->scoring.enabled = true;
    return &cfg->scoring;
}

/* Order matters: timezone before calendar before anything with a `bd` duration. */
static const key_entry top_keys[] = {
    KEY("timezone", key_timezone),
    KEY_MAP("calendar", calendar_keys, enter_calendar),
    KEY_MAP("sla", sla_keys, NULL),
    KEY_MAP("speed_to_lead", speed_keys, NULL),
    KEY("sources", key_sources),
    KEY("personas", key_personas),
    KEY_MAP("scoring", scoring_keys, enter_scoring),
    KEY_MAP("goals", goals_keys, NULL),
    KEY_MAP("cost", cost_keys, NULL),
    KEY_MAP("presets", presets_keys, NULL),
    KEY_MAP("server", server_keys, NULL),
    KEY("webhooks", key_webhooks),
    KEY_MAP("mail", mail_keys, NULL),
};

/* ---- entry points ----------------------------------------------------------------- */

lf_status lf_config_defaults(lf_config *cfg, lf_error *err)
{
    static const lf_grade grades[] = {{'A', 60}, {'B', 40}, {'C', 20}};
    memset(cfg, 0, sizeof *cfg);
    lf_status st = lf_tz_load(&cfg->tz, "UTC", err); /* needs no zone file */
    if (st)
        return st;
    if (!(cfg->timezone = strdup("UTC"))) {
        lf_config_release(cfg);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    lf_calendar_default(&cfg->calendar, cfg->tz);
    cfg->speed_target.clock = LF_CLOCK_CALENDAR;
    cfg->speed_target.usec = LF_USEC_PER_HOUR;
    memcpy(cfg->speed_target.text, "1h", 3);
    memcpy(cfg->scoring.grades, grades, sizeof grades);
    cfg->scoring.ngrades = sizeof grades / sizeof grades[0];
    cfg->scoring.grade_below = 'D';
    cfg->scoring.band_width = 10;
    cfg->goal_default = -1;
    cfg->lag_auto = true; /* SPEC §1: cost.lag_days is `auto` unless set */
    server_clear(cfg);
    return LF_OK;
}

void lf_config_release(lf_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->timezone);
    lf_calendar_release(&cfg->calendar);
    if (cfg->tz)
        lf_tz_free(cfg->tz);
    sources_clear(cfg);
    personas_clear(cfg);
    fit_clear(&cfg->scoring);
    engagement_clear(&cfg->scoring);
    require_clear(&cfg->scoring.mql);
    goals_clear(cfg);
    sf_statuses_clear(cfg);
    server_clear(cfg);
    webhooks_clear(cfg);
    mail_clear(cfg);
    memset(cfg, 0, sizeof *cfg);
}

lf_status lf_config_begin(lf_config *cfg, const char *source, lf_error *err)
{
    lf_status st = lf_config_defaults(cfg, err);
    if (st || !source)
        return st;
    if (!(cfg->path = strdup(source))) {
        lf_config_release(cfg);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    return LF_OK;
}

/* The entry of top_keys that the dotted path `key` names, with the object its
 * handler reads into (entering each map on the way: scoring is turned on by any of
 * its keys), and the path pushed onto c; NULL when no such key exists. */
static const key_entry *resolve_key(ctx *c, const char *key, void **obj)
{
    const key_entry *tab = top_keys, *e = NULL;
    size_t n = NKEYS(top_keys);
    void *at = c->cfg;
    for (const char *seg = key;; seg++) {
        size_t len = strcspn(seg, ".");
        char name[64];
        if (e && !e->sub)
            return NULL; /* a key below a value that is not a map of settings */
        if (e) {
            at = e->enter ? e->enter(at) : at;
            tab = e->sub;
            n = e->nsub;
        }
        if (len == 0 || len >= sizeof name)
            return NULL;
        memcpy(name, seg, len);
        name[len] = '\0';
        if (!(e = find_entry(tab, n, name)))
            return NULL;
        path_key(c, name);
        seg += len;
        if (!*seg) {
            *obj = at;
            return e;
        }
    }
}

lf_status lf_config_set(lf_config *cfg, const char *key, const lf_cfg_value *v, lf_error *err)
{
    ctx c = {.name = cfg->path ? cfg->path : "configuration", .cfg = cfg, .err = err};
    if (!key || !*key) { /* the whole configuration */
        if (!v || is_null(v))
            return LF_OK;
        if (v->kind != LF_CFG_MAP)
            return fail(&c, v, "expected a map of settings at the top level, got %s", kind(v));
        return walk_map(&c, v, top_keys, NKEYS(top_keys), cfg);
    }
    void *obj = NULL;
    const key_entry *e = resolve_key(&c, key, &obj);
    if (!e) {
        char at[24];
        return lf_errorf(err, LF_ECONFIG, "%s%s: unknown key '%s'", c.name,
                         v ? at_line(v, at, sizeof at) : "", key);
    }
    if (!v || is_null(v))
        return LF_OK; /* absent, as in a file */
    return read_entry(&c, e, v, obj);
}

lf_status lf_config_set_text(lf_config *cfg, const char *key, const char *text, lf_error *err)
{
    lf_cfg_value v = {.kind = text ? LF_CFG_SCALAR : LF_CFG_NULL,
                      .text = text ? text : "",
                      .len = text ? strlen(text) : 0};
    return lf_config_set(cfg, key, &v, err);
}

bool lf_config_goal(const lf_config *cfg, int year, int month, double *goal)
{
    for (size_t i = 0; i < cfg->ngoals; i++)
        if (cfg->goals[i].year == year && cfg->goals[i].month == month) {
            *goal = cfg->goals[i].mqls;
            return true;
        }
    if (cfg->goal_default >= 0) {
        *goal = cfg->goal_default;
        return true;
    }
    return false;
}

const char *lf_config_example(void)
{
    return (const char *)lf_asset_leadflow_example_yaml;
}

lf_time lf_sla_deadline(const lf_config *cfg, lf_time mql_at)
{
    if (!cfg->has_sla || mql_at == LF_TIME_NONE)
        return LF_TIME_NONE;
    if (cfg->sla.clock == LF_CLOCK_BUSINESS)
        return lf_bclock_add(&cfg->calendar, mql_at, cfg->sla.usec);
    if (cfg->sla.usec > INT64_MAX - mql_at)
        return LF_TIME_NONE;
    return mql_at + cfg->sla.usec;
}
