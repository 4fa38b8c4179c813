/*
 * report_util.c — helpers shared by the report functions (see report_util.h).
 *
 * Sorting. Reports run over ~1M leads and ~5M transitions, so samples are sorted with
 * an LSD radix sort on 64-bit keys (a double maps to a key that orders like the
 * number: flip every bit of a negative, set the sign bit of a positive), which is
 * O(n) and skips byte positions where every key agrees. rep_samples sorts all values
 * once and then distributes them to their groups with a stable counting pass, so each
 * group comes out sorted too and the total row reuses the sorted whole.
 *
 * Statistics (SPEC §5 and the report decisions):
 *  - median of an even count = the mean of the two middle values;
 *  - p90 = linear interpolation between closest ranks at 0-based rank h = (n - 1) x 0.9,
 *    i.e. v[floor(h)] + (h - floor(h)) x (v[floor(h) + 1] - v[floor(h)]) (numpy's
 *    default, Excel PERCENTILE.INC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "report/report_util.h"

lf_status rep_begin(rep_ctx *c, const lf_report_args *a, lf_error *err)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->cfg = a->cfg;
    c->ds = a->ds;
    c->tz = a->cfg->calendar.tz ? a->cfg->calendar.tz : a->cfg->tz ? a->cfg->tz : lf_tz_utc();
    c->as_of = a->as_of;
    lf_status s = lf_periods_make(c->tz, a->by, a->from_day, a->to_day, &c->per, err);
    if (s != LF_OK)
        return s;
    c->r0 = c->per.start[0];
    c->r1 = c->per.start[c->per.n];
    return LF_OK;
}

void rep_end(rep_ctx *c)
{
    lf_periods_release(&c->per);
}

const char *rep_name(const lf_dataset *ds, uint32_t id)
{
    return id < ds->nnames && ds->names[id] ? ds->names[id] : "";
}

/* ---- tables ---------------------------------------------------------------------- */

lf_status rep_table(const rep_ctx *c, const char *report, bool periods, const lf_col_spec *cols,
                    size_t ncols, lf_table **out, lf_error *err)
{
    *out = NULL;
    lf_table *t = lf_table_new(report, c->a->from_day, c->a->to_day,
                               lf_by_name(c->a->by), c->as_of, lf_tz_name(c->tz));
    if (!t)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    for (size_t i = 0; i < ncols; i++)
        if (lf_table_add_col_spec(t, &cols[i]) < 0)
            goto nomem;
    if (periods) {
        for (size_t b = 0; b < c->per.n; b++) {
            long row = lf_table_add_row(t);
            if (row < 0 || lf_cell_set_text(lf_table_cell(t, row, 0), c->per.label[b]) != LF_OK)
                goto nomem;
        }
        if (lf_table_add_total(t) != LF_OK ||
            lf_cell_set_text(lf_table_cell(t, -1, 0), "total") != LF_OK)
            goto nomem;
    }
    *out = t;
    return LF_OK;
nomem:
    lf_table_free(t);
    return lf_errorf(err, LF_ENOMEM, "out of memory");
}

lf_status rep_finish(lf_status s, lf_table *t, lf_table **out)
{
    if (s != LF_OK) {
        if (t)
            lf_table_free(t);
        return s;
    }
    *out = t;
    return LF_OK;
}

double rep_median(const double *v, size_t n)
{
    if (n == 0)
        return 0;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double rep_quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)h;
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

void rep_set_mean(lf_cell *cell, const double *v, size_t n)
{
    if (n == 0)
        return;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    lf_cell_set_num(cell, sum / (double)n);
}

void rep_set_median(lf_cell *cell, const double *v, size_t n)
{
    if (n)
        lf_cell_set_num(cell, rep_median(v, n));
}

void rep_set_p90(lf_cell *cell, const double *v, size_t n)
{
    if (n)
        lf_cell_set_num(cell, rep_quantile(v, n, 0.9));
}

/* ---- sorting ------------------------------------------------------------------------ */

#define SIGN_BIT (UINT64_C(1) << 63)

static uint64_t double_key(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return (u & SIGN_BIT) ? ~u : (u | SIGN_BIT);
}

static double key_double(uint64_t k)
{
    uint64_t u = (k & SIGN_BIT) ? (k & ~SIGN_BIT) : ~k;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void insertion_sort(rep_item *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        rep_item x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1].key > x.key) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Stable sort of a by key. Needs scratch room for n items; false on no memory. */
static bool sort_items(rep_item *a, size_t n)
{
    if (n < 64) {
        insertion_sort(a, n);
        return true;
    }
    rep_item *tmp = malloc(n * sizeof *tmp);
    size_t(*cnt)[256] = calloc(8, sizeof *cnt);
    if (!tmp || !cnt) {
        free(tmp);
        free(cnt);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            cnt[b][(a[i].key >> (8 * b)) & 0xff]++;
    rep_item *src = a, *dst = tmp;
    for (int b = 0; b < 8; b++) {
        size_t *c = cnt[b];
        if (c[(src[0].key >> (8 * b)) & 0xff] == n)
            continue; /* every key has the same byte here */
        size_t sum = 0;
        for (int k = 0; k < 256; k++) {
            size_t x = c[k];
            c[k] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i].key >> (8 * b)) & 0xff]++] = src[i];
        rep_item *sw = src;
        src = dst;
        dst = sw;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(tmp);
    free(cnt);
    return true;
}

static lf_status push_item(rep_item **items, size_t *n, size_t *cap, uint64_t key, uint32_t g)
{
    if (!lf_grow(items, cap, *n + 1, sizeof **items))
        return LF_ENOMEM;
    (*items)[(*n)++] = (rep_item){key, g};
    return LF_OK;
}

/* ---- samples ------------------------------------------------------------------------ */

void rep_samples_init(rep_samples *s)
{
    memset(s, 0, sizeof *s);
}

void rep_samples_release(rep_samples *s)
{
    free(s->items);
    free(s->all);
    free(s->v);
    free(s->off);
    memset(s, 0, sizeof *s);
}

lf_status rep_samples_add(rep_samples *s, uint32_t group, double v)
{
    return push_item(&s->items, &s->n, &s->cap, double_key(v), group);
}

lf_status rep_samples_sort(rep_samples *s, size_t ngroups)
{
    s->ngroups = ngroups;
    s->off = calloc(ngroups + 1, sizeof *s->off);
    s->all = malloc((s->n ? s->n : 1) * sizeof *s->all);
    s->v = malloc((s->n ? s->n : 1) * sizeof *s->v);
    if (!s->off || !s->all || !s->v || !sort_items(s->items, s->n))
        return LF_ENOMEM;
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i].group >= ngroups)
            continue;
        s->all[kept++] = key_double(s->items[i].key);
        s->off[s->items[i].group + 1]++;
    }
    for (size_t g = 0; g < ngroups; g++)
        s->off[g + 1] += s->off[g];
    /* stable distribution: each group stays ascending */
    size_t *next = malloc((ngroups ? ngroups : 1) * sizeof *next);
    if (!next)
        return LF_ENOMEM;
    memcpy(next, s->off, ngroups * sizeof *next);
    for (size_t i = 0; i < s->n; i++) {
        uint32_t g = s->items[i].group;
        if (g < ngroups)
            s->v[next[g]++] = key_double(s->items[i].key);
    }
    free(next);
    free(s->items);
    s->items = NULL;
    s->n = kept;
    s->cap = 0;
    return LF_OK;
}

size_t rep_samples_get(const rep_samples *s, size_t g, const double **v)
{
    if (g >= s->ngroups) {
        *v = s->all;
        return s->n;
    }
    *v = s->v + s->off[g];
    return s->off[g + 1] - s->off[g];
}

/* ---- tallies -------------------------------------------------------------------------- */

void rep_tally_init(rep_tally *t)
{
    memset(t, 0, sizeof *t);
}

void rep_tally_release(rep_tally *t)
{
    free(t->items);
    memset(t, 0, sizeof *t);
}

lf_status rep_tally_add(rep_tally *t, uint32_t group, uint32_t name)
{
    return push_item(&t->items, &t->n, &t->cap, (uint64_t)group << 32 | name, 0);
}

typedef struct tally_entry {
    const char *name;
    uint64_t count;
} tally_entry;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const tally_entry *)a)->name, ((const tally_entry *)b)->name);
}

static int by_count(const void *a, const void *b)
{
    const tally_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Turns runs of equal ids in items[0..n) (sorted) into the object in `cell`. */
static lf_status fill_object(const rep_item *items, size_t n, const lf_dataset *ds,
                             const char *empty_key, rep_order order, tally_entry *scratch,
                             lf_cell *cell)
{
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        uint32_t id = (uint32_t)items[i].key;
        size_t j = i;
        while (j < n && (uint32_t)items[j].key == id)
            j++;
        scratch[m++] = (tally_entry){id ? rep_name(ds, id) : empty_key, j - i};
        i = j;
    }
    qsort(scratch, m, sizeof *scratch, by_name);
    size_t k = 0; /* merge keys that name the same text (id 0 and empty_key) */
    for (size_t i = 0; i < m; i++) {
        if (k && strcmp(scratch[k - 1].name, scratch[i].name) == 0)
            scratch[k - 1].count += scratch[i].count;
        else
            scratch[k++] = scratch[i];
    }
    if (order == REP_ORDER_COUNT)
        qsort(scratch, k, sizeof *scratch, by_count);
    lf_object *o = lf_cell_set_object(cell);
    if (!o)
        return LF_ENOMEM;
    for (size_t i = 0; i < k; i++)
        if (lf_object_append_num(o, scratch[i].name, LF_COL_COUNT, (double)scratch[i].count) != LF_OK)
            return LF_ENOMEM;
    return LF_OK;
}

lf_status rep_tally_fill(rep_tally *t, const lf_dataset *ds, const char *empty_key, rep_order order,
                         lf_table *tab, int col, size_t ngroups, lf_error *err)
{
    tally_entry *scratch = malloc((t->n ? t->n : 1) * sizeof *scratch);
    if (!scratch || !sort_items(t->items, t->n)) {
        free(scratch);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    lf_status s = LF_OK;
    size_t i = 0;
    for (size_t g = 0; g < ngroups && s == LF_OK; g++) {
        while (i < t->n && (t->items[i].key >> 32) < g)
            i++;
        size_t j = i;
        while (j < t->n && (t->items[j].key >> 32) == g)
            j++;
        s = fill_object(t->items + i, j - i, ds, empty_key, order, scratch,
                        lf_table_cell(tab, (long)g, col));
        i = j;
    }
    if (s == LF_OK) {
        /* the total: the same pairs sorted by name id alone */
        for (size_t k = 0; k < t->n; k++)
            t->items[k].key =
                (t->items[k].key >> 32) < ngroups ? (uint32_t)t->items[k].key : UINT64_MAX;
        if (!sort_items(t->items, t->n))
            s = LF_ENOMEM;
        size_t m = t->n;
        while (m > 0 && t->items[m - 1].key == UINT64_MAX)
            m--;
        if (s == LF_OK)
            s = fill_object(t->items, m, ds, empty_key, order, scratch,
                            lf_table_cell(tab, -1, col));
    }
    free(scratch);
    return s == LF_OK ? LF_OK : lf_errorf(err, LF_ENOMEM, "out of memory");
}

/* ---- the SLA clock -------------------------------------------------------------------- */

bool rep_sla_business(const lf_config *cfg)
{
    return cfg->has_sla && cfg->sla.clock == LF_CLOCK_BUSINESS;
}


double rep_sla_hours(const lf_config *cfg, lf_time a, lf_time b)
{
    if (rep_sla_business(cfg))
        return rep_hours(lf_bclock_between(&cfg->calendar, a, b));
    return rep_hours(b - a);
}

void rep_duration_text(const lf_duration *d, char *buf, size_t size)
{
    const char *clock = d->clock == LF_CLOCK_BUSINESS ? "business" : "calendar";
    if (d->text[0])
        snprintf(buf, size, "%s on the %s clock", d->text, clock);
    else
        snprintf(buf, size, "%g%s on the %s clock", rep_hours(d->usec),
                 d->clock == LF_CLOCK_BUSINESS ? "bh" : "h", clock);
}

/* ---- spend and visitors spread over days ------------------------------------------- */

int32_t rep_first_uncounted_day(const rep_ctx *c)
{
    if (c->as_of == LF_TIME_NONE)
        return INT32_MIN; /* no "now": nothing has happened */
    int32_t d = lf_local_day(c->tz, c->as_of);
    return lf_day_start(c->tz, d) < c->as_of ? d + 1 : d;
}

double rep_share(const lf_ds_amount *a, int32_t d0, int32_t d1)
{
    int64_t lo = a->day_from > d0 ? a->day_from : d0;
    int64_t hi = a->day_to < d1 ? a->day_to : d1;
    int64_t span = (int64_t)a->day_to - a->day_from;
    if (hi <= lo || span <= 0)
        return 0;
    return a->amount * (double)(hi - lo) / (double)span;
}

void rep_spread_buckets(const rep_ctx *c, const lf_ds_amount *a, int32_t shift, int32_t cut,
                        double *acc)
{
    const int32_t *day = c->per.day;
    size_t n = c->per.n;
    /* the buckets' days that receive the row: [lo, hi) */
    int64_t lo = (int64_t)a->day_from + shift;
    int64_t hi = (int64_t)(a->day_to < cut ? a->day_to : cut) + shift;
    if (lo < day[0])
        lo = day[0];
    if (hi > day[n])
        hi = day[n];
    if (hi <= lo)
        return;
    size_t b0 = 0, b1 = n; /* the bucket containing day lo: day[b0] <= lo < day[b0 + 1] */
    while (b1 - b0 > 1) {
        size_t mid = b0 + (b1 - b0) / 2;
        if (day[mid] <= lo)
            b0 = mid;
        else
            b1 = mid;
    }
    for (size_t b = b0; b < n && day[b] < hi; b++) {
        int64_t e = day[b + 1] < hi ? day[b + 1] : hi;
        int64_t s = day[b] > lo ? day[b] : lo;
        if (e > s)
            acc[b] += rep_share(a, (int32_t)(s - shift), (int32_t)(e - shift));
    }
}
