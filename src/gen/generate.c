/*
 * generate.c — a deterministic synthetic B2B workspace (`leadflow generate`, the demo
 * and the benchmark data).
 *
 * Place in the flow: this module sits outside the pipeline, in front of ingest. It
 * writes what a CRM / marketing-automation export would look like (leads.csv,
 * events.csv, costs.csv, traffic.csv) plus a leadflow.yaml that maps it (SPEC §1, §2,
 * §7), so that import, lifecycle and reports have realistic, messy input at any scale.
 *
 * Determinism. The same (leads, seed, end_day) gives the same bytes on every machine:
 *  - our own PRNG (xoshiro256**, seeded through splitmix64), never rand();
 *  - every random stream is derived from (seed, stream, index): one per lead, one per
 *    company, one per day, one for global choices. A lead's content therefore does not
 *    depend on how many random numbers earlier leads consumed;
 *  - integer arithmetic only: probabilities are per-10,000 thresholds, weights are
 *    integers, money is integer cents, timestamps are integer seconds. No floating
 *    point reaches the output.
 *  - random draws are separate statements wherever two could meet in one expression
 *    (the evaluation order of function arguments is unspecified, and the output must
 *    not depend on the compiler); sorts only reorder keys that are equal as bytes;
 *    ASCII case mapping is our own, so the locale does not matter either;
 *  - Europe/Berlin local time <-> UTC uses the EU rule (CEST from the last Sunday of
 *    March 01:00 UTC to the last Sunday of October 01:00 UTC), computed here, so the
 *    output does not depend on the system's zone database.
 *
 * The model (all numbers scale with opts->leads):
 *  - Range: the 13 calendar months of local days before end_day (exclusive). Leads
 *    are spread over the days by an integer weight: month seasonality (Q1 push, summer
 *    and December dips, a deeper dip between Christmas and New Year), weekday over
 *    weekend, holidays low, linear growth over the year, three paid-search promotion
 *    windows (+25%), and ±10% day noise. Day counts come from rounding the cumulative
 *    weight, so they add up to exactly opts->leads. Within a day, local times of day
 *    follow an hour profile (working hours high, nights low); the times are sorted so
 *    lead ids (L000001...) increase with created_at, as CRM ids do.
 *  - A lead has a raw source (as marketing tools spell it: "Google Ads", "bing",
 *    "webinar-2026-q1", "Outbound SDR", sometimes empty), a title, and a company from
 *    a pool of about leads/3 companies (some large accounts with many leads) whose
 *    industry, size and country are a function of the company. A latent quality
 *    (0..100) from title, size, industry and a personal email address drives
 *    engagement, qualification, acceptance and winning.
 *  - Inbound leads: the conversion that created the lead (form_submit, download, ...)
 *    at created_at, then activities whose number depends on an engagement level
 *    (low / medium / high / very high, ~20 events per lead on average), spread over
 *    an active period, front-loaded and pulled into waking hours; a few page views
 *    precede created_at. About 30% qualify: shortly after one of their activities
 *    (often a demo request) they submit a quote request (form_submit
 *    "request-a-quote"), which the generated `scoring` rules value at the whole MQL
 *    threshold (no other mix of activities reaches it), so the MQL comes from the
 *    score at that instant. Sales then responds on a business clock
 *    (Mon-Fri 09:00-17:00 Berlin, German holidays): first `contacted` quickly for
 *    about a third, later for the rest; `accepted` / `rejected` (reason) mostly within
 *    2 business days, about 20% later (SLA misses), a few never. Accepted leads may
 *    become an `opportunity` (amount) and `won` (amount 5,000-120,000) or `lost`.
 *    Rejected leads may be `disqualified`, or recycled: new activity weeks later and
 *    a second quote request (engagement restarted at the rejection) with its own
 *    handoff. A few leads are disqualified without a
 *    handoff, accepted directly by sales, or won directly.
 *  - Outbound leads (source "Outbound SDR", origin sales by the sources rules): SDR
 *    touches (`contacted`), few activities, then `accepted` or straight to
 *    `opportunity`, or disqualified.
 *  - Everything at or after the end instant (local midnight of end_day) is dropped,
 *    so recent leads are naturally in flight.
 *  - Messiness, as real exports have: ~0.8% events without id, ~0.25% exact
 *    duplicate rows, ~1.5% of a lead's events swapped with the next one, ~0.4%
 *    written a few leads later, ~0.6% of lifecycle event types in another letter
 *    case ("Accepted", "MQL"); ~3% leads without email, ~12% personal addresses, a
 *    few explicit origin/persona values, titles and company names that need CSV
 *    quoting, UTF-8 names.
 *  - costs.csv: monthly spend per paid channel (paid_search split in two rows that
 *    add up: Google and Bing), proportional to the month's leads of that channel
 *    times a cost per lead with noise; daily paid_search rows during the promotions;
 *    a quarterly agency fee with no channel (= all). traffic.csv: monthly visitors per
 *    web channel, proportional to that channel's leads.
 *
 * Memory is O(days + one day's leads + one lead's events), a few MB at any scale:
 * leads and events are streamed out through 1 MiB buffers. Each file is written through
 * leadflow/outfile.h (a temporary file renamed into place, 0600 for the CSVs, which hold
 * lead data), so a failed run never leaves a half-written file under a real name.
 * Nothing is printed: progress goes to the caller's callback (opts->progress).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "leadflow/generate.h"
#include "leadflow/outfile.h"
#include "leadflow/time.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define MINUTE INT64_C(60)
#define BDAY_SECS (8 * HOUR) /* 09:00-17:00 */

/* ---------------------------------------------------------------------------------
 * PRNG: xoshiro256** seeded with splitmix64.
 */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

enum { STREAM_LEAD = 1, STREAM_COMPANY = 2, STREAM_DAY = 3, STREAM_GLOBAL = 4 };

/* A generator for (seed, stream, index); distinct triples give unrelated streams. */
static void rng_seed(rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = seed;
    uint64_t a = splitmix64(&x);
    x = a ^ (stream * UINT64_C(0xD1B54A32D192ED03)) ^ (index * UINT64_C(0x8CB92BA72F3D8DD7));
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

/* Uniform in [0, n) for n < 2^32 (multiply-shift; the tiny bias is irrelevant here). */
static uint32_t below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi] (hi - lo < 2^32). */
static int64_t range(rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability p / 10000. */
static int chance(rng *r, int p)
{
    return (int)below(r, 10000) < p;
}

static int floor_log2(uint64_t v)
{
    int k = 0;
    while (v >>= 1)
        k++;
    return k;
}

/* Roughly log-uniform in [lo, hi] (lo >= 1): a uniform power-of-two octave, then a
 * uniform value inside it. Used for delays and sizes, which are heavy-tailed. */
static int64_t logu(rng *r, int64_t lo, int64_t hi)
{
    if (lo < 1)
        lo = 1;
    if (hi <= lo)
        return lo;
    int a = floor_log2((uint64_t)lo), b = floor_log2((uint64_t)hi);
    int k = a + (int)below(r, (uint32_t)(b - a + 1));
    int64_t olo = INT64_C(1) << k, ohi = (INT64_C(1) << (k + 1)) - 1;
    if (olo < lo)
        olo = lo;
    if (ohi > hi)
        ohi = hi;
    return range(r, olo, ohi);
}

/* Index into a table of n weighted rows whose uint16_t weight sits at w0 (first row)
 * with the given stride in bytes. */
static size_t pick_by(rng *r, const uint16_t *w0, size_t stride, size_t n)
{
    const unsigned char *p = (const unsigned char *)w0;
    uint32_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += *(const uint16_t *)(const void *)(p + i * stride);
    uint32_t x = below(r, total);
    for (size_t i = 0; i < n; i++) {
        uint16_t w = *(const uint16_t *)(const void *)(p + i * stride);
        if (x < w)
            return i;
        x -= w;
    }
    return n - 1;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, tab) pick_by((r), &(tab)[0].w, sizeof((tab)[0]), NELEM(tab))

/* ---------------------------------------------------------------------------------
 * Europe/Berlin and German holidays, on the civil-date arithmetic of leadflow/time.h
 * (proleptic Gregorian, days since 1970-01-01; pure integer code, no zone database).
 */

static int64_t fdiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t last_sunday(int y, int m)
{
    int64_t d = lf_days_from_civil(y, m, lf_days_in_month(y, m));
    return d - lf_weekday(d + 1); /* the weekday of d + 1 = days since Sunday */
}

/* Easter Sunday (Gregorian computus), as a day number. */
static int64_t easter(int y)
{
    int a = y % 19, b = y / 100, c = y % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int mm = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * mm + 114) / 31;
    int day = (h + l - 7 * mm + 114) % 31 + 1;
    return lf_days_from_civil(y, month, day);
}

/* The German nationwide public holidays of year y, in date order. */
static size_t german_holidays(int y, int64_t out[9])
{
    int64_t e = easter(y);
    out[0] = lf_days_from_civil(y, 1, 1);
    out[1] = e - 2; /* Good Friday */
    out[2] = e + 1; /* Easter Monday */
    out[3] = lf_days_from_civil(y, 5, 1);
    out[4] = e + 39; /* Ascension */
    out[5] = e + 50; /* Whit Monday */
    out[6] = lf_days_from_civil(y, 10, 3);
    out[7] = lf_days_from_civil(y, 12, 25);
    out[8] = lf_days_from_civil(y, 12, 26);
    /* May 1st can fall after Ascension (not before 2030s, but keep the order true). */
    for (size_t i = 1; i < 9; i++)
        for (size_t j = i; j > 0 && out[j] < out[j - 1]; j--) {
            int64_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return 9;
}

#define DST_YEARS 12

typedef struct berlin {
    int first_year;
    int64_t dst_on[DST_YEARS], dst_off[DST_YEARS]; /* UTC seconds */
} berlin;

static void berlin_init(berlin *b, int first_year)
{
    b->first_year = first_year;
    for (int i = 0; i < DST_YEARS; i++) {
        int y = first_year + i;
        b->dst_on[i] = last_sunday(y, 3) * DAY + HOUR;
        b->dst_off[i] = last_sunday(y, 10) * DAY + HOUR;
    }
}

static int berlin_dst(const berlin *b, int64_t utc)
{
    int y, m, d;
    lf_civil_from_days(fdiv(utc, DAY), &y, &m, &d);
    if (m < 3 || m > 10)
        return 0;
    int64_t on, off;
    if (y >= b->first_year && y < b->first_year + DST_YEARS) {
        on = b->dst_on[y - b->first_year];
        off = b->dst_off[y - b->first_year];
    } else {
        on = last_sunday(y, 3) * DAY + HOUR;
        off = last_sunday(y, 10) * DAY + HOUR;
    }
    return utc >= on && utc < off;
}

static int64_t to_local(const berlin *b, int64_t utc)
{
    return utc + (berlin_dst(b, utc) ? 2 * HOUR : HOUR);
}

/* Local wall time -> UTC. A time in the spring gap moves forward by the gap; a time
 * that occurs twice in autumn is read as its first occurrence. */
static int64_t to_utc(const berlin *b, int64_t local)
{
    int64_t summer = local - 2 * HOUR;
    if (berlin_dst(b, summer))
        return summer;
    return local - HOUR;
}

/* ---------------------------------------------------------------------------------
 * Buffered output with our own formatting (snprintf per field would dominate the
 * run time at twenty million rows).
 */

#define OUT_CAP ((size_t)1 << 20)

typedef struct out {
    lf_outfile f; /* temporary file renamed into place by out_close */
    char *path;   /* owned */
    char *buf;    /* owned, OUT_CAP bytes */
    size_t len;
    int err; /* errno of the first write failure, 0 = none */
} out;

static void out_write(out *o, const char *p, size_t n)
{
    if (!o->err && lf_outfile_write(&o->f, p, n, NULL) != LF_OK)
        o->err = o->f.err ? o->f.err : EIO;
}

static void out_flush(out *o)
{
    if (o->len)
        out_write(o, o->buf, o->len);
    o->len = 0;
}

static void out_mem(out *o, const char *p, size_t n)
{
    if (o->len + n > OUT_CAP) {
        out_flush(o);
        if (n > OUT_CAP) {
            out_write(o, p, n);
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static void out_str(out *o, const char *s)
{
    out_mem(o, s, strlen(s));
}

static void out_chr(out *o, char c)
{
    if (o->len + 1 > OUT_CAP)
        out_flush(o);
    o->buf[o->len++] = c;
}

/* v in decimal, zero-padded to at least width digits, as a C string at the end of
 * tmp (returned); *n = its length. */
#define UINT_TMP 25
static const char *fmt_uint(char tmp[UINT_TMP], uint64_t v, int width, size_t *n)
{
    char *p = tmp + UINT_TMP - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (p > tmp && tmp + UINT_TMP - 1 - p < width)
        *--p = '0';
    *n = (size_t)(tmp + UINT_TMP - 1 - p);
    return p;
}

static void out_uint(out *o, uint64_t v, int width)
{
    char tmp[UINT_TMP];
    size_t n;
    const char *s = fmt_uint(tmp, v, width, &n);
    out_mem(o, s, n);
}

static void out_2d(out *o, int v)
{
    char t[2] = {(char)('0' + v / 10 % 10), (char)('0' + v % 10)};
    out_mem(o, t, 2);
}

static void out_date(out *o, int64_t day)
{
    int y, m, d;
    lf_civil_from_days(day, &y, &m, &d);
    out_uint(o, (uint64_t)y, 4);
    out_chr(o, '-');
    out_2d(o, m);
    out_chr(o, '-');
    out_2d(o, d);
}

static void out_month(out *o, int y, int m)
{
    out_uint(o, (uint64_t)y, 4);
    out_chr(o, '-');
    out_2d(o, m);
}

/* UTC instant as 2026-03-02T09:14:05Z. */
static void out_ts(out *o, int64_t t)
{
    int64_t day = fdiv(t, DAY);
    int sod = (int)(t - day * DAY);
    out_date(o, day);
    out_chr(o, 'T');
    out_2d(o, sod / 3600);
    out_chr(o, ':');
    out_2d(o, sod / 60 % 60);
    out_chr(o, ':');
    out_2d(o, sod % 60);
    out_chr(o, 'Z');
}

/* Integer cents as 1234.50 (no thousands separator). */
static void out_money(out *o, int64_t cents)
{
    if (cents < 0) {
        out_chr(o, '-');
        cents = -cents;
    }
    out_uint(o, (uint64_t)(cents / 100), 1);
    out_chr(o, '.');
    out_2d(o, (int)(cents % 100));
}

/* A CSV field, quoted (with doubled quotes) when it holds a comma, quote or newline. */
static void out_csv(out *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        out_str(o, s);
        return;
    }
    out_chr(o, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            out_chr(o, '"');
        out_chr(o, *p);
    }
    out_chr(o, '"');
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Opens DIR/NAME through leadflow/outfile.h: a temporary file renamed into place by
 * out_close, created with mode (less the umask) when new. */
static lf_status out_open(out *o, const char *dir, const char *name, mode_t mode, lf_error *err)
{
    memset(o, 0, sizeof *o); /* o->f is "not open" until lf_outfile_open succeeds */
    o->path = join_path(dir, name);
    o->buf = malloc(OUT_CAP);
    if (!o->path || !o->buf)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    return lf_outfile_open(&o->f, o->path, mode, err);
}

/* When st is still LF_OK: flushes and renames the file into place, reporting the first
 * write failure (LF_ESTORE). Otherwise drops it, leaving the old file as it was. */
static lf_status out_close(out *o, lf_status st, lf_error *err)
{
    if (st == LF_OK) {
        out_flush(o);
        st = lf_outfile_commit(&o->f, err);
    } else {
        lf_outfile_abort(&o->f);
    }
    free(o->path);
    free(o->buf);
    o->path = NULL;
    o->buf = NULL;
    return st;
}

/* A bounded string builder for small fields (details, emails, company names). */
typedef struct sb {
    char *p;
    size_t n, cap;
} sb;

static void sb_init(sb *b, char *p, size_t cap)
{
    b->p = p;
    b->n = 0;
    b->cap = cap;
    p[0] = '\0';
}

static void sb_s(sb *b, const char *s)
{
    size_t l = strlen(s);
    if (l > b->cap - 1 - b->n)
        l = b->cap - 1 - b->n;
    memcpy(b->p + b->n, s, l);
    b->n += l;
    b->p[b->n] = '\0';
}

static void sb_u(sb *b, uint64_t v, int width)
{
    char tmp[UINT_TMP];
    size_t n;
    sb_s(b, fmt_uint(tmp, v, width, &n));
}

/* ASCII case mapping, independent of the locale a front end may have set. */
static char ascii_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ---------------------------------------------------------------------------------
 * Vocabulary.
 */

enum {
    CH_PAID,
    CH_SOCIAL,
    CH_EMAIL,
    CH_EVENTS,
    CH_CONTENT,
    CH_ORGANIC,
    CH_REFERRAL,
    CH_OUTBOUND,
    CH_OTHER,
    CH_UNKNOWN,
    CH_COUNT
};

typedef struct source_def {
    const char *raw; /* NULL: "webinar-YYYY-qN" of the lead's quarter */
    uint8_t ch;
    uint16_t w;
} source_def;

static const source_def sources[] = {
    {"Google Ads", CH_PAID, 120},
    {"google-ads", CH_PAID, 25},
    {"AdWords", CH_PAID, 10},
    {"bing", CH_PAID, 30},
    {"Bing Ads", CH_PAID, 10},
    {"LinkedIn", CH_SOCIAL, 70},
    {"linkedin-ads", CH_SOCIAL, 20},
    {"Facebook", CH_SOCIAL, 20},
    {"twitter", CH_SOCIAL, 8},
    {"newsletter", CH_EMAIL, 60},
    {"Email Campaign", CH_EMAIL, 20},
    {NULL, CH_EVENTS, 45},
    {"Trade Show", CH_EVENTS, 20},
    {"Conference", CH_EVENTS, 10},
    {"ebook", CH_CONTENT, 30},
    {"Whitepaper", CH_CONTENT, 15},
    {"blog", CH_CONTENT, 25},
    {"content-syndication", CH_CONTENT, 15},
    {"organic", CH_ORGANIC, 90},
    {"SEO", CH_ORGANIC, 15},
    {"direct", CH_ORGANIC, 30},
    {"referral", CH_REFERRAL, 35},
    {"Partner Referral", CH_REFERRAL, 15},
    {"Outbound SDR", CH_OUTBOUND, 60},
    {"sdr-cold-call", CH_OUTBOUND, 15},
    {"outbound", CH_OUTBOUND, 10},
    {"Capterra", CH_OTHER, 10},
    {"chat", CH_OTHER, 8},
    {"", CH_UNKNOWN, 40},
};

enum { P_NONE, P_MARY, P_DAN, P_FIONA };
static const char *const persona_names[] = {"Other", "Marketing Mary", "Developer Dan",
                                            "Founder Fiona"};

typedef struct title_def {
    const char *name;
    uint16_t w;
    int8_t q; /* quality bonus */
    uint8_t persona;
    uint8_t student;
} title_def;

static const title_def titles[] = {
    {"Marketing Manager", 90, 15, P_MARY, 0},
    {"Head of Marketing", 50, 20, P_MARY, 0},
    {"CMO", 20, 25, P_MARY, 0},
    {"VP Marketing", 20, 22, P_MARY, 0},
    {"Marketing Operations Manager", 30, 20, P_MARY, 0},
    {"Demand Generation Manager", 25, 18, P_MARY, 0},
    {"Online Marketing Specialist", 40, 8, P_MARY, 0},
    {"Head of Marketing, DACH", 10, 20, P_MARY, 0},
    {"Content Marketing Manager", 25, 10, P_MARY, 0},
    {"Software Engineer", 60, 0, P_DAN, 0},
    {"Senior Developer", 40, 2, P_DAN, 0},
    {"Frontend Developer", 25, 0, P_DAN, 0},
    {"DevOps Engineer", 20, 2, P_DAN, 0},
    {"Engineering Manager", 20, 8, P_DAN, 0},
    {"Founder", 25, 15, P_FIONA, 0},
    {"Co-Founder & CEO", 15, 18, P_FIONA, 0},
    {"CEO", 25, 15, P_FIONA, 0},
    {"Founder and Managing Director", 10, 15, P_FIONA, 0},
    {"CTO", 20, 12, P_NONE, 0},
    {"CFO", 10, 5, P_NONE, 0},
    {"Sales Director", 25, 5, P_NONE, 0},
    {"Head of Sales", 20, 6, P_NONE, 0},
    {"Operations Manager", 30, 3, P_NONE, 0},
    {"Product Manager", 35, 5, P_NONE, 0},
    {"Data Analyst", 30, 2, P_NONE, 0},
    {"IT Manager", 25, 4, P_NONE, 0},
    {"HR Manager", 15, -5, P_NONE, 0},
    {"Consultant", 30, -2, P_NONE, 0},
    {"Gesch\xc3\xa4\x66tsf\xc3\xbchrer", 20, 12, P_NONE, 0},
    {"Assistant", 10, -10, P_NONE, 0},
    {"Student", 20, -40, P_NONE, 1},
    {"Working Student Marketing", 8, -30, P_MARY, 1},
    {"Intern", 10, -30, P_NONE, 1},
};

typedef struct industry_def {
    const char *name;
    uint16_t w;
    int8_t q;
    const char *core[3]; /* company name cores typical for the industry */
} industry_def;

static const industry_def industries[] = {
    {"software", 220, 10, {"Software", "Systems", "Labs"}},
    {"fintech", 80, 10, {"Payments", "Finance", "Capital"}},
    {"e-commerce", 100, 5, {"Commerce", "Shop", "Retail Tech"}},
    {"manufacturing", 140, 0, {"Industries", "Maschinenbau", "Manufacturing"}},
    {"healthcare", 80, 2, {"Health", "Medical", "Care"}},
    {"consulting", 100, -3, {"Consulting", "Partners", "Advisory"}},
    {"education", 50, -10, {"Academy", "Learning", "Education"}},
    {"media", 60, 0, {"Media", "Studios", "Publishing"}},
    {"logistics", 60, 0, {"Logistics", "Transport", "Freight"}},
    {"public sector", 30, -8, {"Services", "Verwaltung", "Agency"}},
    {"retail", 60, 0, {"Retail", "Stores", "Handel"}},
    {"telecommunications", 20, 3, {"Telecom", "Networks", "Connect"}},
};

typedef struct country_def {
    const char *code;
    uint16_t w;
    int8_t q;
    const char *tld;
    const char *forms[3]; /* legal forms, the first most common */
} country_def;

static const country_def countries[] = {
    {"DE", 380, 5, "de", {"GmbH", "AG", "GmbH & Co. KG"}},
    {"AT", 80, 5, "at", {"GmbH", "AG", "GmbH"}},
    {"CH", 70, 5, "ch", {"AG", "GmbH", "AG"}},
    {"GB", 90, 0, "co.uk", {"Ltd", "Ltd", "PLC"}},
    {"US", 100, 0, "com", {"Inc.", "LLC", "Corp."}},
    {"NL", 60, 2, "nl", {"B.V.", "B.V.", "N.V."}},
    {"FR", 60, 0, "fr", {"SAS", "SARL", "SA"}},
    {"PL", 40, -2, "pl", {"Sp. z o.o.", "S.A.", "Sp. z o.o."}},
    {"SE", 30, 2, "se", {"AB", "AB", "AB"}},
    {"ES", 30, -2, "es", {"S.L.", "S.A.", "S.L."}},
    {"IT", 30, -2, "it", {"S.r.l.", "S.p.A.", "S.r.l."}},
    {"DK", 20, 2, "dk", {"ApS", "A/S", "ApS"}},
    {"BE", 20, 0, "be", {"BV", "NV", "SRL"}},
};

typedef struct name_def {
    const char *name; /* display (UTF-8) */
    const char *slug; /* ASCII for e-mail addresses and domains */
} name_def;

static const name_def first_names[] = {
    {"Anna", "anna"},           {"Lukas", "lukas"},
    {"Sophie", "sophie"},       {"Jonas", "jonas"},
    {"Marie", "marie"},         {"Felix", "felix"},
    {"Laura", "laura"},         {"Paul", "paul"},
    {"Julia", "julia"},         {"Leon", "leon"},
    {"Lena", "lena"},           {"Max", "max"},
    {"Sarah", "sarah"},         {"Tim", "tim"},
    {"Hannah", "hannah"},       {"Jan", "jan"},
    {"Katharina", "katharina"}, {"Niklas", "niklas"},
    {"Emma", "emma"},           {"David", "david"},
    {"Lisa", "lisa"},           {"Tobias", "tobias"},
    {"Sandra", "sandra"},       {"Michael", "michael"},
    {"Thomas", "thomas"},       {"J\xc3\xbcrgen", "juergen"},
    {"Bj\xc3\xb6rn", "bjoern"}, {"Chlo\xc3\xa9", "chloe"},
    {"Oliver", "oliver"},       {"James", "james"},
    {"Emily", "emily"},         {"Lucas", "lucas"},
    {"Noah", "noah"},           {"Mia", "mia"},
    {"Sofia", "sofia"},         {"Elena", "elena"},
    {"Marco", "marco"},         {"Pierre", "pierre"},
    {"Camille", "camille"},     {"Piotr", "piotr"},
    {"Agnieszka", "agnieszka"}, {"Erik", "erik"},
    {"Ingrid", "ingrid"},       {"Daan", "daan"},
    {"Sanne", "sanne"},
};

static const name_def last_names[] = {
    {"M\xc3\xbcller", "mueller"},
    {"Schmidt", "schmidt"},
    {"Schneider", "schneider"},
    {"Fischer", "fischer"},
    {"Weber", "weber"},
    {"Meyer", "meyer"},
    {"Wagner", "wagner"},
    {"Becker", "becker"},
    {"Schulz", "schulz"},
    {"Hoffmann", "hoffmann"},
    {"Koch", "koch"},
    {"Richter", "richter"},
    {"Klein", "klein"},
    {"Wolf", "wolf"},
    {"Schr\xc3\xb6"
     "der",
     "schroeder"},
    {"Neumann", "neumann"},
    {"Braun", "braun"},
    {"Kr\xc3\xbcger", "krueger"},
    {"Hartmann", "hartmann"},
    {"Lange", "lange"},
    {"Werner", "werner"},
    {"Krause", "krause"},
    {"Lehmann", "lehmann"},
    {"K\xc3\xb6hler", "koehler"},
    {"Smith", "smith"},
    {"Johnson", "johnson"},
    {"Brown", "brown"},
    {"Taylor", "taylor"},
    {"Wilson", "wilson"},
    {"Dubois", "dubois"},
    {"Martin", "martin"},
    {"Bernard", "bernard"},
    {"Kowalski", "kowalski"},
    {"Nowak", "nowak"},
    {"Andersson", "andersson"},
    {"Johansson", "johansson"},
    {"de Vries", "devries"},
    {"Jansen", "jansen"},
    {"Rossi", "rossi"},
    {"Garc\xc3\xad"
     "a",
     "garcia"},
    {"O'Brien", "obrien"},
};

static const name_def company_prefixes[] = {
    {"Nordlicht", "nordlicht"},
    {"Bergmann", "bergmann"},
    {"Alpen", "alpen"},
    {"Hanse", "hanse"},
    {"Rhein", "rhein"},
    {"Blue Harbor", "blueharbor"},
    {"Silverline", "silverline"},
    {"Brightpath", "brightpath"},
    {"Quantum", "quantum"},
    {"Vertex", "vertex"},
    {"Kessler", "kessler"},
    {"Falkenberg", "falkenberg"},
    {"Lumen", "lumen"},
    {"Orbit", "orbit"},
    {"Polaris", "polaris"},
    {"Cobalt", "cobalt"},
    {"Greenfield", "greenfield"},
    {"Ironwood", "ironwood"},
    {"Sonnen", "sonnen"},
    {"Elbe", "elbe"},
    {"Isar", "isar"},
    {"Nova", "nova"},
    {"Atlas", "atlas"},
    {"Helix", "helix"},
    {"Meridian", "meridian"},
    {"Pioneer", "pioneer"},
    {"Summit", "summit"},
    {"Tandem", "tandem"},
    {"Zenith", "zenith"},
    {"Kr\xc3\xa4mer", "kraemer"},
    {"Fjord", "fjord"},
    {"Lindberg", "lindberg"},
    {"Adler", "adler"},
    {"Eichhorn", "eichhorn"},
    {"Westwind", "westwind"},
    {"Kranich", "kranich"},
    {"Bluebird", "bluebird"},
    {"Redwood", "redwood"},
    {"Stellar", "stellar"},
    {"Auric", "auric"},
};

static const char *const personal_domains[] = {"gmail.com",   "gmail.com",   "gmail.com",
                                               "gmx.de",      "web.de",      "yahoo.com",
                                               "hotmail.com", "outlook.com", "t-online.de"};

typedef struct wstr {
    const char *s;
    uint16_t w;
} wstr;

static const wstr paths_cold[] = {
    {"/", 160},
    {"/pricing", 50},
    {"/pricing?plan=team", 8},
    {"/product", 90},
    {"/product/integrations", 40},
    {"/features/lead-scoring", 50},
    {"/features/reporting", 40},
    {"/blog/what-is-an-mql", 70},
    {"/blog/speed-to-lead", 60},
    {"/blog/b2b-funnel-benchmarks", 60},
    {"/blog/marketing-sales-sla", 40},
    {"/customers", 40},
    {"/docs/getting-started", 40},
    {"/docs/api", 30},
    {"/about", 25},
    {"/careers", 25},
    {"/webinars", 20},
    {"/resources/ebooks", 25},
    {"/contact", 15},
};

static const wstr paths_hot[] = {
    {"/", 100},
    {"/pricing", 140},
    {"/pricing?plan=team", 30},
    {"/pricing#enterprise", 20},
    {"/product", 90},
    {"/product/integrations", 60},
    {"/features/lead-scoring", 60},
    {"/features/reporting", 50},
    {"/blog/what-is-an-mql", 30},
    {"/customers", 50},
    {"/customers/case-studies", 30},
    {"/docs/getting-started", 30},
    {"/security", 25},
    {"/contact", 25},
};

static const wstr forms[] = {
    {"contact-us", 30},   {"newsletter-signup", 30},  {"ebook-gate", 40},
    {"trial-signup", 25}, {"event-registration", 10},
};

static const wstr assets[] = {
    {"ebook-lead-scoring-guide.pdf", 40},      {"whitepaper-b2b-funnel-benchmarks.pdf", 30},
    {"checklist-marketing-sales-sla.pdf", 25}, {"case-study-logistics.pdf", 15},
    {"template-mql-definition.xlsx", 15},      {"report-state-of-b2b-marketing.pdf", 20},
};

static const wstr reject_reasons[] = {
    {"no budget", 30},  {"bad timing", 25}, {"not decision maker", 20},
    {"competitor", 10}, {"student", 5},
};

static const wstr disq_reasons[] = {
    {"spam", 25},      {"student", 20},       {"competitor", 15},
    {"duplicate", 15}, {"invalid email", 15}, {"no fit", 20},
};

static const wstr lost_reasons[] = {
    {"price", 30}, {"competitor", 25}, {"no decision", 25}, {"bad timing", 15}, {"no budget", 15},
};

static const wstr touches[] = {
    {"call", 45},
    {"email", 35},
    {"meeting", 10},
    {"linkedin", 10},
};

/* Hour-of-day profiles (local time), per mille-ish weights. */
static const uint16_t hours_workday[24] = {3,  2,  1,  1,  1,  2,  5,  14, 38, 70, 86, 84,
                                           62, 70, 80, 74, 62, 40, 26, 20, 18, 14, 9,  5};
static const uint16_t hours_weekend[24] = {4,  3,  2,  1,  1,  1,  2,  4,  8,  14, 20, 24,
                                           24, 24, 22, 20, 20, 20, 22, 22, 20, 16, 10, 6};

/* Seasonality by month (Jan..Dec) and weekday (Mon..Sun), in per mille. */
static const int month_weight[12] = {1150, 1120, 1180, 1040, 1000, 930,
                                     760,  700,  1050, 1100, 1080, 820};
static const int weekday_weight[7] = {1130, 1180, 1160, 1100, 880, 260, 220};

/* Cost per lead (cents) and visitors per lead for the paid / web channels. */
static const int64_t cpl_cents[CH_COUNT] = {
    [CH_PAID] = 9500, [CH_SOCIAL] = 7200, [CH_EVENTS] = 16000, [CH_CONTENT] = 4800};
static const int visitors_per_lead[CH_COUNT] = {
    [CH_PAID] = 42,    [CH_SOCIAL] = 65,  [CH_EMAIL] = 18,
    [CH_CONTENT] = 55, [CH_ORGANIC] = 90, [CH_REFERRAL] = 20};
static const char *const channel_names[CH_COUNT] = {
    "paid_search", "social",   "email",    "events", "content",
    "organic",     "referral", "outbound", "other",  "unknown"};

/* ---------------------------------------------------------------------------------
 * Events of one lead.
 */

enum {
    T_PAGE_VIEW,
    T_EMAIL_OPEN,
    T_EMAIL_CLICK,
    T_FORM_SUBMIT,
    T_DOWNLOAD,
    T_WEBINAR,
    T_DEMO_REQUEST,
    T_MQL,
    T_CONTACTED,
    T_ACCEPTED,
    T_REJECTED,
    T_DISQUALIFIED,
    T_OPPORTUNITY,
    T_WON,
    T_LOST,
    T_COUNT
};

static const char *const type_names[T_COUNT] = {
    "page_view", "email_open",   "email_click", "form_submit", "download",
    "webinar",   "demo_request", "mql",         "contacted",   "accepted",
    "rejected",  "disqualified", "opportunity", "won",         "lost"};

typedef struct act_def {
    uint8_t type;
    uint16_t w;
} act_def;

static const act_def activity_mix[] = {
    {T_PAGE_VIEW, 480}, {T_EMAIL_OPEN, 240}, {T_EMAIL_CLICK, 80}, {T_FORM_SUBMIT, 40},
    {T_DOWNLOAD, 60},   {T_WEBINAR, 25},     {T_DEMO_REQUEST, 4},
};

#define MAX_EVENTS 480
#define MAX_ACTIVITIES 400

typedef struct ev {
    int64_t ts;     /* UTC seconds */
    int64_t amount; /* cents; < 0 = none */
    uint64_t id;    /* assigned in time order when the lead is written */
    const char *reason;
    uint8_t type;
    uint8_t odd_case; /* type written as "Accepted" / "MQL" */
    char detail[72];
} ev;

typedef struct lead {
    uint64_t num;
    int64_t created; /* UTC */
    int src;
    int ch;
    int title; /* index into titles, -1 = none */
    int quality;
    int has_email;
    int student;
    ev evs[MAX_EVENTS];
    size_t nev;
    uint16_t order[MAX_EVENTS];
    int64_t acts[MAX_ACTIVITIES];
} lead;

#define DEFER_CAP 64

typedef struct deferred {
    ev e;
    uint64_t lead_num;
    uint64_t release; /* written after the lead with this number */
} deferred;

typedef struct company {
    char name[112];
    char domain[64];
    int industry, country;
    int64_t employees; /* 0 = unknown */
} company;

#define PROMOS 3

typedef struct gen {
    const lf_generate_opts *o;
    berlin tz;
    int64_t start_day, end_day; /* local day numbers, [start, end) */
    int64_t end_utc;            /* nothing at or after this instant */
    int64_t hol_base;           /* holiday bitmap covers [hol_base, hol_base + hol_len) */
    size_t hol_len;
    unsigned char *hol;
    int64_t promo_start[PROMOS], promo_len[PROMOS];
    int first_month; /* y * 12 + (m - 1) of start_day */
    int nmonths;
    uint64_t (*month_ch)[CH_COUNT]; /* leads per month and channel */
    uint64_t companies;             /* pool size */
    uint64_t next_event_id;
    lead *L;
    ev scratch; /* target of events dropped at the end instant */
    deferred defer[DEFER_CAP];
    size_t ndefer;
    out leads_out, events_out;
} gen;

static int is_holiday(const gen *g, int64_t day)
{
    if (day < g->hol_base || day >= g->hol_base + (int64_t)g->hol_len)
        return 0;
    return g->hol[day - g->hol_base];
}

static int is_workday(const gen *g, int64_t day)
{
    return lf_weekday(day) < 5 && !is_holiday(g, day);
}

/* Local time plus secs of business time (Mon-Fri 09:00-17:00 local, no holidays).
 * A start outside working hours first moves to the next opening. */
static int64_t biz_add(const gen *g, int64_t local, int64_t secs)
{
    for (int guard = 0; guard < 4000; guard++) {
        int64_t day = fdiv(local, DAY);
        int64_t sod = local - day * DAY;
        if (!is_workday(g, day) || sod >= 17 * HOUR) {
            local = (day + 1) * DAY + 9 * HOUR;
            continue;
        }
        if (sod < 9 * HOUR) {
            sod = 9 * HOUR;
            local = day * DAY + sod;
        }
        int64_t avail = 17 * HOUR - sod;
        if (secs < avail)
            return local + secs;
        secs -= avail;
        local = (day + 1) * DAY + 9 * HOUR;
    }
    return local;
}

/* UTC instant `secs` business seconds after UTC instant t. */
static int64_t biz_after(const gen *g, int64_t t, int64_t secs)
{
    return to_utc(&g->tz, biz_add(g, to_local(&g->tz, t), secs));
}

/* t plus a log-uniform calendar delay in [lo, hi], then moved into working hours plus
 * up to `spread` business seconds. (Random draws are separate statements throughout:
 * the order in which function arguments are evaluated is unspecified, and the output
 * must not depend on the compiler.) */
static int64_t later_biz(const gen *g, rng *r, int64_t t, int64_t lo, int64_t hi, int64_t spread)
{
    int64_t delay = logu(r, lo, hi);
    int64_t extra = spread > 0 ? (int64_t)below(r, (uint32_t)spread) : 0;
    return biz_after(g, t + delay, extra);
}

/* A local second of the day drawn from the hour profile. */
static int64_t draw_sod(rng *r, int weekend)
{
    const uint16_t *h = weekend ? hours_weekend : hours_workday;
    uint32_t total = 0;
    for (int i = 0; i < 24; i++)
        total += h[i];
    uint32_t x = below(r, total);
    int hour = 0;
    while (hour < 23 && x >= h[hour]) {
        x -= h[hour];
        hour++;
    }
    return hour * HOUR + (int64_t)below(r, 3600);
}

/* t moved into waking hours when it falls in the night (people sleep; bots do not). */
static int64_t waking(const gen *g, rng *r, int64_t t)
{
    int64_t local = to_local(&g->tz, t);
    int64_t day = fdiv(local, DAY);
    int64_t sod = local - day * DAY;
    if ((sod < 7 * HOUR || sod >= 22 * HOUR) && chance(r, 8500)) {
        int64_t nsod = draw_sod(r, !is_workday(g, day));
        int64_t nl = day * DAY + nsod;
        if (nl <= local)
            nl += DAY;
        return to_utc(&g->tz, nl);
    }
    return t;
}

static ev *push(gen *g, int64_t ts, int type)
{
    lead *L = g->L;
    ev *e = &g->scratch;
    if (ts < g->end_utc && L->nev < MAX_EVENTS)
        e = &L->evs[L->nev++];
    e->ts = ts;
    e->type = (uint8_t)type;
    e->amount = -1;
    e->reason = NULL;
    e->odd_case = 0;
    e->detail[0] = '\0';
    return e;
}

static const char *pick_str(rng *r, const wstr *tab, size_t n)
{
    return tab[pick_by(r, &tab[0].w, sizeof tab[0], n)].s;
}

#define PICK_STR(r, tab) pick_str((r), (tab), NELEM(tab))

/* "2026-03" / "2026-q1" of a UTC instant in local time. */
static void detail_month(const gen *g, sb *b, int64_t t, int quarter)
{
    int y, m, d;
    lf_civil_from_days(fdiv(to_local(&g->tz, t), DAY), &y, &m, &d);
    sb_u(b, (uint64_t)y, 4);
    if (quarter) {
        sb_s(b, "-q");
        sb_u(b, (uint64_t)((m - 1) / 3 + 1), 1);
    } else {
        sb_s(b, "-");
        sb_u(b, (uint64_t)m, 2);
    }
}

static void add_activity(gen *g, rng *r, int64_t ts, int type, int hot)
{
    if (!g->L->has_email && (type == T_EMAIL_OPEN || type == T_EMAIL_CLICK))
        type = T_PAGE_VIEW;
    ev *e = push(g, ts, type);
    sb b;
    sb_init(&b, e->detail, sizeof e->detail);
    switch (type) {
    case T_PAGE_VIEW:
        sb_s(&b, "https://www.example.com");
        sb_s(&b, hot ? PICK_STR(r, paths_hot) : PICK_STR(r, paths_cold));
        break;
    case T_EMAIL_OPEN:
    case T_EMAIL_CLICK: {
        uint32_t k = below(r, 100);
        if (k < 45) {
            sb_s(&b, "newsletter-");
            detail_month(g, &b, ts, 0);
        } else if (k < 75) {
            sb_s(&b, "nurture-");
            sb_u(&b, 1 + below(r, 6), 1);
        } else if (k < 90) {
            sb_s(&b, "product-update-");
            detail_month(g, &b, ts, 0);
        } else {
            sb_s(&b, "webinar-invite-");
            detail_month(g, &b, ts, 1);
        }
        break;
    }
    case T_FORM_SUBMIT:
        sb_s(&b, PICK_STR(r, forms));
        break;
    case T_DOWNLOAD:
        sb_s(&b, PICK_STR(r, assets));
        break;
    case T_WEBINAR:
        sb_s(&b, "webinar-");
        detail_month(g, &b, ts, 1);
        break;
    case T_DEMO_REQUEST:
        sb_s(&b, chance(r, 6000)   ? "demo-form"
                 : chance(r, 5000) ? "contact-sales"
                                   : "pricing-page-cta");
        break;
    default:
        break;
    }
}

/* The activity that qualifies a lead under the generated scoring rules: a quote
 * request, worth the whole MQL threshold on its own (see write_config), so the lead
 * becomes an MQL at exactly this instant. */
static void qualify(gen *g, int64_t ts)
{
    ev *e = push(g, ts, T_FORM_SUBMIT);
    sb b;
    sb_init(&b, e->detail, sizeof e->detail);
    sb_s(&b, "request-a-quote");
}

static void add_touch(gen *g, rng *r, int64_t ts)
{
    ev *e = push(g, ts, T_CONTACTED);
    sb b;
    sb_init(&b, e->detail, sizeof e->detail);
    sb_s(&b, PICK_STR(r, touches));
}

static void add_reason(gen *g, int64_t ts, int type, const char *reason)
{
    ev *e = push(g, ts, type);
    e->reason = reason;
}

/* A deal size in cents: 5,000-120,000, log-uniform, rounded to 500. */
static int64_t deal_cents(rng *r, int quality)
{
    int64_t eur = logu(r, 5000, 120000);
    if (quality > 60 && chance(r, 3000))
        eur = eur * 3 / 2;
    if (eur > 120000)
        eur = 120000;
    eur = (eur + 250) / 500 * 500;
    return eur * 100;
}

/* After entering sql at t: maybe lost directly; maybe an opportunity, then won/lost. */
static void sql_flow(gen *g, rng *r, int64_t t)
{
    lead *L = g->L;
    if (chance(r, 900)) {
        int64_t tl = later_biz(g, r, t, 3 * DAY, 60 * DAY, 4 * HOUR);
        add_reason(g, tl, T_LOST, PICK_STR(r, lost_reasons));
        return;
    }
    if (!chance(r, 3400 + L->quality * 25))
        return;
    int64_t to = later_biz(g, r, t, DAY, 30 * DAY, 6 * HOUR);
    int64_t amount = deal_cents(r, L->quality);
    ev *e = push(g, to, T_OPPORTUNITY);
    e->amount = amount;
    snprintf(e->detail, sizeof e->detail, "%s", chance(r, 8500) ? "new business" : "expansion");
    int64_t close = to + logu(r, 7 * DAY, 150 * DAY);
    int n = (int)range(r, 1, 3);
    for (int i = 0; i < n; i++) {
        int64_t extra = (int64_t)below(r, 8 * HOUR);
        add_touch(g, r, biz_after(g, to + (close - to) * (i + 1) / (n + 1), extra));
    }
    uint32_t k = below(r, 10000);
    int64_t tc = biz_after(g, close, (int64_t)below(r, 8 * HOUR));
    if ((int)k < 3000 + L->quality * 15) {
        ev *w = push(g, tc, T_WON);
        /* Negotiated: 80-110% of the opportunity, kept within 5,000-120,000. */
        int64_t won = amount / 100 * (int64_t)range(r, 80, 110);
        if (chance(r, 3000))
            won += (int64_t)below(r, 100);
        w->amount = won < 500000 || won > 12000000 ? amount : won;
    } else if (k < 8000) {
        add_reason(g, tc, T_LOST, PICK_STR(r, lost_reasons));
    }
}

static void inbound_burst(gen *g, rng *r, int64_t from, int n, int64_t span, int hot,
                          int64_t *last);

/* A handoff opened at mql: first contact, decision, and what follows. */
static void handoff(gen *g, rng *r, int64_t mql, int round)
{
    lead *L = g->L;
    if (chance(r, 8800)) {
        uint32_t mode = below(r, 100);
        int64_t bs = mode < 38   ? logu(r, 60, 3000)
                     : mode < 78 ? logu(r, 3000, 16 * HOUR)
                                 : logu(r, 16 * HOUR, 5 * BDAY_SECS);
        int64_t tc = biz_after(g, mql, bs);
        add_touch(g, r, tc);
        int more = (int)below(r, 3);
        for (int i = 0; i < more; i++) {
            tc = later_biz(g, r, tc, DAY, 7 * DAY, 8 * HOUR);
            add_touch(g, r, tc);
        }
    }
    if (!chance(r, 9300))
        return; /* never decided: an overdue handoff */
    int64_t bs = chance(r, 8000) ? logu(r, 300, 2 * BDAY_SECS - 1)
                                 : logu(r, 2 * BDAY_SECS + 1, 15 * BDAY_SECS);
    int64_t td = biz_after(g, mql, bs);
    int accept_p = 3000 + L->quality * 40 - (L->student ? 3000 : 0);
    if (accept_p > 9000)
        accept_p = 9000;
    if (accept_p < 300)
        accept_p = 300;
    if (chance(r, accept_p)) {
        push(g, td, T_ACCEPTED);
        sql_flow(g, r, td);
        return;
    }
    const char *why = L->student && chance(r, 7000) ? "student" : PICK_STR(r, reject_reasons);
    add_reason(g, td, T_REJECTED, why);
    if (chance(r, 900)) {
        int64_t tq = td + logu(r, HOUR, 10 * DAY);
        add_reason(g, tq, T_DISQUALIFIED, L->student ? "student" : PICK_STR(r, disq_reasons));
        return;
    }
    if (round == 0 && chance(r, 4000)) {
        /* Recycled: back in nurture, new activity weeks later, maybe a second MQL. */
        int64_t start = td + logu(r, 14 * DAY, 120 * DAY);
        int n = (int)range(r, 3, 12);
        int64_t last = start;
        inbound_burst(g, r, start, n, logu(r, DAY, 30 * DAY), 1, &last);
        if (chance(r, 5500) && L->has_email) {
            int64_t m2 = last + range(r, 30, 900);
            qualify(g, m2);
            handoff(g, r, m2, 1);
        }
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* n activities from `from` over `span` seconds (front-loaded, in waking hours);
 * *last receives the latest one. */
static void inbound_burst(gen *g, rng *r, int64_t from, int n, int64_t span, int hot, int64_t *last)
{
    lead *L = g->L;
    if (n > MAX_ACTIVITIES)
        n = MAX_ACTIVITIES;
    for (int i = 0; i < n; i++) {
        int64_t off = (int64_t)below(r, (uint32_t)(span > 0xFFFFFFF ? 0xFFFFFFF : span));
        if (chance(r, 5000)) {
            int64_t o2 = (int64_t)below(r, (uint32_t)(span > 0xFFFFFFF ? 0xFFFFFFF : span));
            if (o2 < off)
                off = o2;
        }
        L->acts[i] = waking(g, r, from + off);
    }
    qsort(L->acts, (size_t)n, sizeof L->acts[0], cmp_i64);
    for (int i = 0; i < n; i++) {
        int type = activity_mix[PICK(r, activity_mix)].type;
        add_activity(g, r, L->acts[i], type, hot);
        if (L->acts[i] > *last)
            *last = L->acts[i];
    }
}

static const uint8_t first_touch_type[CH_COUNT] = {
    [CH_PAID] = T_FORM_SUBMIT,     [CH_SOCIAL] = T_DOWNLOAD,    [CH_EMAIL] = T_FORM_SUBMIT,
    [CH_EVENTS] = T_FORM_SUBMIT,   [CH_CONTENT] = T_DOWNLOAD,   [CH_ORGANIC] = T_FORM_SUBMIT,
    [CH_REFERRAL] = T_FORM_SUBMIT, [CH_OUTBOUND] = T_PAGE_VIEW, [CH_OTHER] = T_FORM_SUBMIT,
    [CH_UNKNOWN] = T_FORM_SUBMIT};

/* The conversion that created the lead, and the anonymous visits tied to it then. */
static void inbound_first_touch(gen *g, rng *r, int64_t t0)
{
    lead *L = g->L;
    if (L->ch == CH_PAID && chance(r, 1200)) {
        add_activity(g, r, t0, T_DEMO_REQUEST, 1);
    } else {
        add_activity(g, r, t0, first_touch_type[L->ch], 0);
        ev *first = L->nev ? &L->evs[L->nev - 1] : &g->scratch;
        if (first->ts == t0 && first->type == T_FORM_SUBMIT) {
            const char *f = L->ch == CH_EMAIL      ? "newsletter-signup"
                            : L->ch == CH_EVENTS   ? "event-registration"
                            : L->ch == CH_REFERRAL ? "contact-us"
                                                   : NULL;
            if (f)
                snprintf(first->detail, sizeof first->detail, "%s", f);
        }
    }
    if (chance(r, 400)) {
        int n = (int)range(r, 1, 3);
        for (int i = 0; i < n; i++)
            add_activity(g, r, t0 - logu(r, 60, 14 * DAY), T_PAGE_VIEW, 0);
    }
}

/* Engagement level 0..3 from the lead's quality. */
static int inbound_level(const lead *L, rng *r)
{
    static const uint16_t lv_base[4] = {42, 34, 17, 7}, lv_good[4] = {28, 36, 24, 12},
                          lv_poor[4] = {62, 28, 8, 2};
    const uint16_t *lw = L->quality >= 60 ? lv_good : L->quality < 25 ? lv_poor : lv_base;
    uint32_t x = below(r, 100);
    int level = 0;
    while (level < 3 && x >= lw[level]) {
        x -= lw[level];
        level++;
    }
    return level;
}

/* An MQL at one of the later activities of the burst (events[before..]); often at a
 * demo request. */
static void inbound_qualify(gen *g, rng *r, int64_t t0, size_t before, int n)
{
    lead *L = g->L;
    size_t nact = L->nev - before;
    int64_t at = t0;
    if (nact > 0) {
        size_t j = before + nact * (size_t)range(r, 30, 90) / 100;
        if (j >= L->nev)
            j = L->nev - 1;
        at = L->evs[j].ts;
    } else if (n > 0) {
        at = L->acts[n * 6 / 10]; /* activities fell after the end: so does the MQL */
    }
    if (chance(r, 3000))
        add_activity(g, r, at, T_DEMO_REQUEST, 1);
    int64_t mql = at + range(r, 20, 900);
    qualify(g, mql);
    handoff(g, r, mql, 0);
}

/* Not qualified: a few are disqualified, picked up by sales, or even close. */
static void inbound_unqualified(gen *g, rng *r, int64_t t0)
{
    lead *L = g->L;
    uint32_t k = below(r, 10000);
    if ((int)k < (L->student ? 2500 : 250)) {
        int64_t tq = later_biz(g, r, t0, HOUR, 20 * DAY, 0);
        add_reason(g, tq, T_DISQUALIFIED, L->student ? "student" : PICK_STR(r, disq_reasons));
    } else if (k < 2600 + 80) {
        int64_t ta = later_biz(g, r, t0, HOUR, 10 * DAY, 8 * HOUR);
        add_touch(g, r, ta - range(r, 600, 3 * HOUR));
        push(g, ta, T_ACCEPTED);
        sql_flow(g, r, ta);
    } else if (k < 2600 + 80 + 15) {
        ev *e = push(g, later_biz(g, r, t0, 7 * DAY, 90 * DAY, 8 * HOUR), T_WON);
        e->amount = deal_cents(r, L->quality);
    }
}

static void build_inbound(gen *g, rng *r)
{
    lead *L = g->L;
    int64_t t0 = L->created;
    inbound_first_touch(g, r, t0);
    int level = inbound_level(L, r);
    static const int n_lo[4] = {1, 6, 18, 35}, n_hi[4] = {7, 25, 45, 105};
    static const int64_t p_lo[4] = {HOUR, 3 * DAY, 10 * DAY, 20 * DAY},
                         p_hi[4] = {20 * DAY, 90 * DAY, 180 * DAY, 300 * DAY};
    static const int mql_p[4] = {600, 3000, 5600, 7600};
    int n = (int)range(r, n_lo[level], n_hi[level]);
    int64_t span = logu(r, p_lo[level], p_hi[level]);
    int p = mql_p[level] + (L->quality - 40) * 30;
    int is_mql = chance(r, p < 100 ? 100 : p > 9500 ? 9500 : p);
    if (!L->has_email && is_mql && !chance(r, 1500))
        is_mql = 0; /* the MA tool cannot qualify them; a few slip through anyway */
    int64_t last = t0;
    size_t before = L->nev;
    inbound_burst(g, r, t0 + 1, n, span, is_mql && level >= 2, &last);
    if (is_mql)
        inbound_qualify(g, r, t0, before, n);
    else
        inbound_unqualified(g, r, t0);
}

static void build_outbound(gen *g, rng *r)
{
    lead *L = g->L;
    int64_t t = biz_after(g, L->created, range(r, 0, 600));
    add_touch(g, r, t);
    int touches_n = (int)range(r, 1, 5);
    for (int i = 1; i < touches_n; i++) {
        t = later_biz(g, r, t, DAY, 8 * DAY, 8 * HOUR);
        add_touch(g, r, t);
    }
    /* The sequence's e-mails get opened; some prospects look around. */
    int n = (int)range(r, 0, 8);
    for (int i = 0; i < n; i++) {
        int64_t ta = waking(g, r, L->created + logu(r, HOUR, 30 * DAY));
        int type = chance(r, 5500) ? T_EMAIL_OPEN : chance(r, 5000) ? T_EMAIL_CLICK : T_PAGE_VIEW;
        add_activity(g, r, ta, type, 0);
    }
    uint32_t k = below(r, 100);
    int64_t td = later_biz(g, r, t, HOUR, 5 * DAY, 8 * HOUR);
    if (k < 30) {
        push(g, td, T_ACCEPTED);
        sql_flow(g, r, td);
    } else if (k < 38) {
        ev *e = push(g, td, T_OPPORTUNITY);
        e->amount = deal_cents(r, L->quality);
        snprintf(e->detail, sizeof e->detail, "%s", "new business");
        int64_t tc = later_biz(g, r, td, 14 * DAY, 120 * DAY, 8 * HOUR);
        if (chance(r, 3500)) {
            ev *w = push(g, tc, T_WON);
            w->amount = e->amount;
        } else if (chance(r, 6000)) {
            add_reason(g, tc, T_LOST, PICK_STR(r, lost_reasons));
        }
    } else if (k < 48) {
        add_reason(g, td, T_DISQUALIFIED, chance(r, 5000) ? "no fit" : PICK_STR(r, disq_reasons));
    }
}

/* ---------------------------------------------------------------------------------
 * Leads.
 */

static void company_make(const gen *g, uint64_t k, company *c)
{
    rng r;
    rng_seed(&r, g->o->seed, STREAM_COMPANY, k);
    c->industry = (int)PICK(&r, industries);
    c->country = (int)PICK(&r, countries);
    static const uint16_t tier_w[6] = {15, 25, 25, 18, 11, 6};
    static const int64_t tier_lo[6] = {1, 11, 51, 201, 1001, 5001},
                         tier_hi[6] = {10, 50, 200, 1000, 5000, 60000};
    uint32_t x = below(&r, 100);
    int tier = 0;
    while (tier < 5 && x >= tier_w[tier]) {
        x -= tier_w[tier];
        tier++;
    }
    c->employees = logu(&r, tier_lo[tier], tier_hi[tier]);
    const country_def *cd = &countries[c->country];
    sb n, d;
    sb_init(&n, c->name, sizeof c->name);
    sb_init(&d, c->domain, sizeof c->domain);
    if (chance(&r, 250)) {
        /* A partnership: "Müller, Schmidt & Partner" (needs CSV quoting). */
        const name_def *a = &last_names[below(&r, NELEM(last_names))];
        const name_def *b = &last_names[below(&r, NELEM(last_names))];
        sb_s(&n, a->name);
        sb_s(&n, ", ");
        sb_s(&n, b->name);
        sb_s(&n, " & Partner");
        sb_s(&d, a->slug);
        sb_s(&d, "-");
        sb_s(&d, b->slug);
    } else {
        const name_def *p = &company_prefixes[below(&r, NELEM(company_prefixes))];
        const char *core = industries[c->industry].core[below(&r, 3)];
        sb_s(&n, p->name);
        sb_s(&n, " ");
        sb_s(&n, core);
        sb_s(&d, p->slug);
        sb_s(&d, "-");
        for (const char *q = core; *q; q++)
            if (ascii_lower(*q) >= 'a' && ascii_lower(*q) <= 'z' && d.n + 1 < d.cap) {
                d.p[d.n++] = ascii_lower(*q);
                d.p[d.n] = '\0';
            }
        /* Large pools reuse names; a number keeps big pools distinct, as CRMs show. */
        if (k >= NELEM(company_prefixes) * 40 && chance(&r, 3000)) {
            sb_s(&n, " ");
            sb_u(&n, 1 + k % 97, 1);
            sb_u(&d, 1 + k % 97, 1);
        }
    }
    uint32_t f = below(&r, 100);
    sb_s(&n, " ");
    sb_s(&n, cd->forms[f < 70 ? 0 : f < 90 ? 1 : 2]);
    sb_s(&d, ".");
    sb_s(&d, cd->tld);
}

/* The lead's e-mail into email[n] (empty without one): corporate, personal or
 * missing. Sets L->has_email and *personal. */
static void lead_email(gen *g, rng *r, const company *c, int no_company, char *email, size_t n,
                       int *personal)
{
    lead *L = g->L;
    sb e;
    sb_init(&e, email, n);
    uint32_t em = below(r, 10000);
    const name_def *fn = &first_names[below(r, NELEM(first_names))];
    const name_def *ln = &last_names[below(r, NELEM(last_names))];
    *personal = 0;
    L->has_email = em >= 300;
    if (!L->has_email)
        return;
    *personal = em < 300 + 1200 || no_company;
    uint32_t form = below(r, 100);
    if (*personal || form < 60) {
        sb_s(&e, fn->slug);
        sb_s(&e, chance(r, 8500) ? "." : "_");
        sb_s(&e, ln->slug);
    } else if (form < 80) {
        char ini[2] = {fn->slug[0], '\0'};
        sb_s(&e, ini);
        sb_s(&e, ".");
        sb_s(&e, ln->slug);
    } else if (form < 90) {
        sb_s(&e, fn->slug);
        sb_s(&e, ln->slug);
    } else {
        sb_s(&e, fn->slug);
    }
    if (*personal && chance(r, 4000))
        sb_u(&e, range(r, 1, 99), 2);
    sb_s(&e, "@");
    sb_s(&e, *personal ? personal_domains[below(r, NELEM(personal_domains))] : c->domain);
    if (chance(r, 100)) { /* Typed with capitals; addresses are case-insensitive. */
        email[0] = ascii_upper(email[0]);
        char *dot = strchr(email, '.');
        if (dot && dot[1] && dot[1] != '@')
            dot[1] = ascii_upper(dot[1]);
    }
}

/* Quality 0..100 from title, company and e-mail, with some noise. */
static int lead_quality(const lead *L, const company *c, int personal, rng *r)
{
    int q = 40;
    if (L->title >= 0)
        q += titles[L->title].q;
    q += industries[c->industry].q + countries[c->country].q;
    if (c->employees >= 50 && c->employees <= 5000)
        q += 12;
    else if (c->employees < 10)
        q -= 10;
    if (personal)
        q -= 15;
    q += (int)range(r, -10, 10);
    return q < 0 ? 0 : q > 100 ? 100 : q;
}

/* The leads.csv row:
 * id,email,created_at,source,origin,persona,title,company,industry,employees,country */
static void lead_row(gen *g, rng *r, const char *email, const company *c, int no_company)
{
    lead *L = g->L;
    out *o = &g->leads_out;
    out_chr(o, 'L');
    out_uint(o, L->num, 6);
    out_chr(o, ',');
    out_csv(o, email);
    out_chr(o, ',');
    out_ts(o, L->created);
    out_chr(o, ',');
    if (sources[L->src].raw) {
        out_csv(o, sources[L->src].raw);
    } else {
        char w[32];
        sb wb;
        sb_init(&wb, w, sizeof w);
        sb_s(&wb, "webinar-");
        detail_month(g, &wb, L->created, 1);
        out_str(o, w);
    }
    out_chr(o, ',');
    if (chance(r, 150)) {
        int sales = L->ch == CH_OUTBOUND;
        out_str(o, chance(r, 8000) ? (sales ? "sales" : "marketing")
                                   : (sales ? "Sales" : "Marketing"));
    }
    out_chr(o, ',');
    if (chance(r, 250))
        out_str(o, persona_names[L->title >= 0 ? titles[L->title].persona : P_NONE]);
    out_chr(o, ',');
    if (L->title >= 0)
        out_csv(o, titles[L->title].name);
    out_chr(o, ',');
    if (!no_company)
        out_csv(o, c->name);
    out_chr(o, ',');
    if (!no_company && !chance(r, 300))
        out_str(o, industries[c->industry].name);
    out_chr(o, ',');
    if (!no_company && !chance(r, 500))
        out_uint(o, (uint64_t)c->employees, 1);
    out_chr(o, ',');
    if (!chance(r, 300))
        out_str(o, countries[c->country].code);
    out_chr(o, '\n');
}

static void write_lead(gen *g, rng *r, int64_t created_local)
{
    lead *L = g->L;
    L->src = (int)PICK(r, sources);
    L->ch = sources[L->src].ch;
    L->title = chance(r, 1000) ? -1 : (int)PICK(r, titles);
    L->student = L->title >= 0 && titles[L->title].student;
    uint64_t k = chance(r, 8000) ? (uint64_t)below(r, (uint32_t)g->companies)
                                 : (uint64_t)below(r, (uint32_t)(g->companies / 50 + 1));
    company c;
    company_make(g, k, &c);
    int no_company = chance(r, 200);
    char email[160];
    int personal;
    lead_email(g, r, &c, no_company, email, sizeof email, &personal);
    L->quality = lead_quality(L, &c, personal, r);
    L->created = to_utc(&g->tz, created_local);
    lead_row(g, r, email, &c, no_company);
}

/* ---------------------------------------------------------------------------------
 * Writing events: time order per lead, with the messiness of real exports.
 */

static void write_event(gen *g, const ev *e, uint64_t lead_num)
{
    out *o = &g->events_out;
    /* id,lead_id,ts,type,detail,amount,reason */
    if (e->id) {
        out_chr(o, 'E');
        out_uint(o, e->id, 8);
    }
    out_chr(o, ',');
    out_chr(o, 'L');
    out_uint(o, lead_num, 6);
    out_chr(o, ',');
    out_ts(o, e->ts);
    out_chr(o, ',');
    const char *tn = type_names[e->type];
    if (e->odd_case) { /* "Accepted", "MQL": types are case-insensitive */
        char up[24];
        size_t n = strlen(tn);
        memcpy(up, tn, n + 1);
        if (e->type == T_MQL)
            for (size_t i = 0; i < n; i++)
                up[i] = ascii_upper(up[i]);
        else
            up[0] = ascii_upper(up[0]);
        out_str(o, up);
    } else {
        out_str(o, tn);
    }
    out_chr(o, ',');
    out_csv(o, e->detail);
    out_chr(o, ',');
    if (e->amount >= 0)
        out_money(o, e->amount);
    out_chr(o, ',');
    if (e->reason)
        out_csv(o, e->reason);
    out_chr(o, '\n');
}

static void flush_deferred(gen *g, uint64_t upto)
{
    size_t j = 0;
    for (size_t i = 0; i < g->ndefer; i++) {
        if (g->defer[i].release <= upto)
            write_event(g, &g->defer[i].e, g->defer[i].lead_num);
        else
            g->defer[j++] = g->defer[i];
    }
    g->ndefer = j;
}

static void write_events(gen *g, rng *r)
{
    lead *L = g->L;
    size_t n = L->nev;
    /* Stable insertion sort of indices by time (ties keep generation order). */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        int64_t t = L->evs[i].ts;
        while (j > 0 && L->evs[L->order[j - 1]].ts > t) {
            L->order[j] = L->order[j - 1];
            j--;
        }
        L->order[j] = (uint16_t)i;
    }
    for (size_t i = 0; i < n; i++) {
        ev *e = &L->evs[L->order[i]];
        e->id = ++g->next_event_id;
        if (chance(r, 80))
            e->id = 0; /* exported without id */
        e->odd_case = e->type >= T_MQL && chance(r, 60);
    }
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && chance(r, 150)) { /* slightly out of order in the file */
            uint16_t t = L->order[i];
            L->order[i] = L->order[i + 1];
            L->order[i + 1] = t;
        }
        const ev *e = &L->evs[L->order[i]];
        if (g->ndefer < DEFER_CAP && chance(r, 40)) { /* arrives a few leads later */
            deferred *d = &g->defer[g->ndefer++];
            d->e = *e;
            d->lead_num = L->num;
            d->release = L->num + 1 + below(r, 4);
            continue;
        }
        write_event(g, e, L->num);
        if (chance(r, 25)) { /* exported twice */
            if (g->ndefer < DEFER_CAP && chance(r, 5000)) {
                deferred *d = &g->defer[g->ndefer++];
                d->e = *e;
                d->lead_num = L->num;
                d->release = L->num + 1 + below(r, 3);
            } else {
                write_event(g, e, L->num);
            }
        }
    }
    flush_deferred(g, L->num);
}

/* ---------------------------------------------------------------------------------
 * Range, day weights, costs, traffic, configuration.
 */

static int64_t month_start_day(int mi)
{
    return lf_days_from_civil(mi / 12, mi % 12 + 1, 1);
}

static int in_promo(const gen *g, int64_t day)
{
    for (int i = 0; i < PROMOS; i++)
        if (day >= g->promo_start[i] && day < g->promo_start[i] + g->promo_len[i])
            return 1;
    return 0;
}

/* Integer weight of a local day (see the model above). */
static uint64_t day_weight(const gen *g, rng *r, int64_t day)
{
    int y, m, d;
    lf_civil_from_days(day, &y, &m, &d);
    int64_t span = g->end_day - g->start_day;
    int64_t w = month_weight[m - 1];
    w = w * weekday_weight[lf_weekday(day)] / 1000;
    w = w * (800 + 400 * (day - g->start_day) / (span > 0 ? span : 1)) / 1000;
    if (is_holiday(g, day))
        w = w * 300 / 1000;
    if (m == 12 && d >= 20)
        w = w * (d >= 24 ? 350 : 600) / 1000;
    if (m == 1 && d == 2)
        w = w * 600 / 1000;
    if (in_promo(g, day))
        w = w * 1250 / 1000;
    w = w * range(r, 900, 1100) / 1000;
    return (uint64_t)(w > 0 ? w : 1);
}

static void write_costs(gen *g, rng *r, out *o)
{
    static const int paid[] = {CH_PAID, CH_SOCIAL, CH_EVENTS, CH_CONTENT};
    out_str(o, "date,channel,amount\n");
    for (int i = 0; i < g->nmonths; i++) {
        int mi = g->first_month + i;
        int y = mi / 12, m = mi % 12 + 1;
        int64_t total = 0, paid_month = 0;
        for (size_t c = 0; c < NELEM(paid); c++) {
            int ch = paid[c];
            int64_t cents = (int64_t)g->month_ch[i][ch] * cpl_cents[ch] * range(r, 85, 115) / 100;
            total += cents;
            if (ch == CH_PAID) {
                paid_month = cents;
                int64_t google = cents * 78 / 100;
                out_month(o, y, m);
                out_str(o, ",paid_search,");
                out_money(o, google);
                out_str(o, "\n");
                out_month(o, y, m);
                out_str(o, ",paid_search,");
                out_money(o, cents - google);
                out_str(o, "\n");
            } else {
                out_month(o, y, m);
                out_chr(o, ',');
                out_str(o, channel_names[ch]);
                out_chr(o, ',');
                out_money(o, cents);
                out_chr(o, '\n');
            }
        }
        if ((m - 1) % 3 == 0) { /* quarterly agency fee, not tied to a channel */
            out_month(o, y, m);
            out_str(o, ",,");
            out_money(o, total * 6 / 100);
            out_chr(o, '\n');
        }
        /* Daily promotion spend on paid search. */
        int64_t first = month_start_day(mi), ndays = lf_days_in_month(y, m);
        for (int64_t day = first; day < first + ndays; day++) {
            if (day < g->start_day || day >= g->end_day || !in_promo(g, day))
                continue;
            out_date(o, day);
            out_str(o, ",paid_search,");
            out_money(o, paid_month / ndays * range(r, 40, 70) / 100);
            out_chr(o, '\n');
        }
    }
}

static void write_traffic(gen *g, rng *r, out *o)
{
    static const int web[] = {CH_PAID, CH_SOCIAL, CH_EMAIL, CH_CONTENT, CH_ORGANIC, CH_REFERRAL};
    out_str(o, "date,visitors,channel\n");
    for (int i = 0; i < g->nmonths; i++) {
        int mi = g->first_month + i;
        for (size_t c = 0; c < NELEM(web); c++) {
            int ch = web[c];
            uint64_t v = g->month_ch[i][ch] * (uint64_t)visitors_per_lead[ch] *
                         (uint64_t)range(r, 85, 115) / 100;
            out_month(o, mi / 12, mi % 12 + 1);
            out_chr(o, ',');
            out_uint(o, v, 1);
            out_chr(o, ',');
            out_str(o, channel_names[ch]);
            out_chr(o, '\n');
        }
    }
}

static void write_config(gen *g, out *o)
{
    const lf_generate_opts *opt = g->o;
    char line[160];
    snprintf(line, sizeof line,
             "# leadflow.yaml for the synthetic workspace written by `leadflow generate`\n"
             "# (%llu leads, seed %llu). Dates are local to the timezone below.\n",
             (unsigned long long)opt->leads, (unsigned long long)opt->seed);
    out_str(o, line);
    out_str(o, "timezone: Europe/Berlin\n"
               "calendar:\n"
               "  workdays: [mon, tue, wed, thu, fri]\n"
               "  hours: \"09:00-17:00\"\n"
               "  holidays: [");
    /* German holidays from the first month of the data to the end of its last year. */
    int y0, m0, d0, y1, m1, d1;
    lf_civil_from_days(g->start_day, &y0, &m0, &d0);
    lf_civil_from_days(g->end_day - 1, &y1, &m1, &d1);
    int64_t from = lf_days_from_civil(y0, m0, 1);
    int first = 1;
    for (int y = y0; y <= y1; y++) {
        int64_t h[9];
        size_t n = german_holidays(y, h);
        for (size_t i = 0; i < n; i++) {
            if (h[i] < from)
                continue;
            if (!first)
                out_str(o, ", ");
            first = 0;
            out_date(o, h[i]);
        }
    }
    out_str(o, "]\n"
               "sla:\n"
               "  accept_within: 2bd\n"
               "speed_to_lead:\n"
               "  target: 1h\n"
               "sources:\n"
               "  - {match: \"^(outbound|sdr)\", channel: outbound, origin: sales}\n"
               "  - {match: \"google|bing|adwords\", channel: paid_search}\n"
               "  - {match: \"linkedin|facebook|twitter|social\", channel: social}\n"
               "  - {match: \"newsletter|e-?mail\", channel: email}\n"
               "  - {match: \"webinar|event|trade ?show|conference\", channel: events}\n"
               "  - {match: \"ebook|whitepaper|blog|content\", channel: content}\n"
               "  - {match: \"organic|seo|direct\", channel: organic}\n"
               "  - {match: \"referral|partner\", channel: referral}\n"
               "  - {match: \".*\", channel: other}\n"
               "personas:\n"
               "  - {name: Marketing Mary, when: {title: {matches: \"market|cmo\"}}}\n"
               "  - {name: Developer Dan, when: {title: {matches: \"engineer|developer\"}}}\n"
               "  - {name: Founder Fiona, when: {title: {matches: \"founder|ceo\"}}}\n"
               "scoring:\n"
               "  fit:\n"
               "    - {when: {employees: {at_least: 200}}, points: 15}\n"
               "    - {when: {persona: {in: [Marketing Mary, Founder Fiona]}}, points: 10}\n"
               "    - {when: {email: {matches: \"@(gmail|yahoo|hotmail)\\\\.\"}}, points: -10}\n"
               "  engagement:\n"
               "    - {type: form_submit, detail: {matches: \"request-a-quote\"}, points: 50}\n"
               "    - {type: demo_request, points: 10, max_total: 10}\n"
               "    - {type: page_view, detail: {matches: \"/pricing\"}, points: 3, max_per_day: 3,"
               " max_total: 9}\n"
               "    - {type: download, points: 5, max_total: 10}\n"
               "    - {type: webinar, points: 5, max_total: 5}\n"
               "    - {type: email_click, points: 1, max_total: 5}\n"
               "  decay: {half_life: 90d}\n"
               "  grades: {A: 25, B: 15, C: 5}\n"
               "  mql: {engagement_at_least: 50}\n"
               "  band_width: 10\n"
               "goals:\n"
               "  mqls_per_month: ");
    uint64_t goal = (opt->leads + 20) / 40; /* 0.3 x leads / 12, rounded */
    out_uint(o, goal ? goal : 1, 1);
    out_str(o, "\n"
               "cost:\n"
               "  lag_days: auto\n");
}


static lf_status gen_setup(gen *g, const lf_generate_opts *opts, lf_error *err)
{
    g->o = opts;
    g->end_day = opts->end_day;
    int y, m, d;
    lf_civil_from_days(g->end_day, &y, &m, &d);
    int mi = y * 12 + (m - 1) - 13;
    int sy = mi / 12, sm = mi % 12 + 1;
    int sd = d > lf_days_in_month(sy, sm) ? lf_days_in_month(sy, sm) : d;
    g->start_day = lf_days_from_civil(sy, sm, sd);
    berlin_init(&g->tz, sy - 1);
    g->end_utc = to_utc(&g->tz, g->end_day * DAY);

    /* Holidays from the start year to two years after the end (events run past it). */
    g->hol_base = lf_days_from_civil(sy, 1, 1);
    g->hol_len = (size_t)(lf_days_from_civil(y + 3, 1, 1) - g->hol_base);
    g->hol = calloc(g->hol_len, 1);
    int ey = y, em = m;
    lf_civil_from_days(g->end_day - 1, &ey, &em, &d);
    g->first_month = sy * 12 + (sm - 1);
    g->nmonths = ey * 12 + (em - 1) - g->first_month + 1;
    g->month_ch = calloc((size_t)g->nmonths, sizeof *g->month_ch);
    g->L = malloc(sizeof *g->L);
    if (!g->hol || !g->month_ch || !g->L)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    for (int yy = sy; yy < y + 3; yy++) {
        int64_t h[9];
        size_t n = german_holidays(yy, h);
        for (size_t i = 0; i < n; i++)
            if (h[i] >= g->hol_base && h[i] < g->hol_base + (int64_t)g->hol_len)
                g->hol[h[i] - g->hol_base] = 1;
    }

    rng r;
    rng_seed(&r, opts->seed, STREAM_GLOBAL, 0);
    int64_t span = g->end_day - g->start_day;
    for (int i = 0; i < PROMOS; i++) {
        g->promo_start[i] = g->start_day + 30 + (int64_t)below(&r, (uint32_t)(span - 60));
        g->promo_len[i] = range(&r, 5, 10);
    }
    g->companies = opts->leads / 3 + 1;
    if (g->companies > UINT32_MAX)
        g->companies = UINT32_MAX;
    return LF_OK;
}

static void gen_release(gen *g)
{
    free(g->hol);
    free(g->month_ch);
    free(g->L);
}

/* The main pass: days in order, leads of a day in time order, each lead's row then
 * its events. */
static lf_status generate_leads(gen *g, lf_error *err)
{
    const lf_generate_opts *opts = g->o;
    int64_t ndays = g->end_day - g->start_day;
    uint64_t *w = malloc((size_t)ndays * sizeof *w);
    if (!w)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    rng gr;
    rng_seed(&gr, opts->seed, STREAM_GLOBAL, 1);
    uint64_t total = 0;
    for (int64_t i = 0; i < ndays; i++) {
        w[i] = day_weight(g, &gr, g->start_day + i);
        total += w[i];
    }

    out_str(&g->leads_out,
            "id,email,created_at,source,origin,persona,title,company,industry,employees,"
            "country\n");
    out_str(&g->events_out, "id,lead_id,ts,type,detail,amount,reason\n");

    int64_t *sods = NULL;
    size_t sods_cap = 0;
    uint64_t cum = 0, done = 0, num = 0;
    uint64_t N = opts->leads;
    for (int64_t i = 0; i < ndays; i++) {
        /* Rounded cumulative shares: the counts add up to exactly N. */
        uint64_t before = (2 * N * cum + total) / (2 * total);
        cum += w[i];
        uint64_t after = (2 * N * cum + total) / (2 * total);
        uint64_t cnt = after - before;
        if (!cnt)
            continue;
        if (cnt > sods_cap) {
            int64_t *ns = realloc(sods, (size_t)cnt * sizeof *ns);
            if (!ns) {
                free(sods);
                free(w);
                return lf_errorf(err, LF_ENOMEM, "out of memory");
            }
            sods = ns;
            sods_cap = (size_t)cnt;
        }
        int64_t day = g->start_day + i;
        rng dr;
        rng_seed(&dr, opts->seed, STREAM_DAY, (uint64_t)day);
        int weekend = !is_workday(g, day);
        for (uint64_t j = 0; j < cnt; j++)
            sods[j] = draw_sod(&dr, weekend);
        qsort(sods, (size_t)cnt, sizeof *sods, cmp_i64);

        int y, m, d;
        lf_civil_from_days(day, &y, &m, &d);
        int mi = y * 12 + (m - 1) - g->first_month;
        for (uint64_t j = 0; j < cnt; j++) {
            lead *L = g->L;
            rng r;
            L->num = ++num;
            L->nev = 0;
            rng_seed(&r, opts->seed, STREAM_LEAD, L->num);
            write_lead(g, &r, day * DAY + sods[j]);
            if (mi >= 0 && mi < g->nmonths)
                g->month_ch[mi][L->ch]++;
            if (L->ch == CH_OUTBOUND)
                build_outbound(g, &r);
            else
                build_inbound(g, &r);
            write_events(g, &r);
            if (++done % 100000 == 0 && opts->progress)
                opts->progress(opts->progress_ctx, done, N);
        }
        if (g->leads_out.err || g->events_out.err)
            break;
    }
    flush_deferred(g, UINT64_MAX);
    free(sods);
    free(w);
    return LF_OK;
}

lf_status lf_generate(const lf_generate_opts *opts, lf_error *err)
{
    if (!opts || !opts->out_dir || !*opts->out_dir)
        return lf_errorf(err, LF_EUSAGE, "generate: no output directory");
    if (opts->leads < 1)
        return lf_errorf(err, LF_EUSAGE, "generate: --leads must be at least 1");
    if (opts->leads > UINT64_C(1000000000))
        return lf_errorf(err, LF_EUSAGE, "generate: --leads must be at most 1000000000");
    lf_status st = lf_make_dirs(opts->out_dir, err);
    if (st != LF_OK)
        return st;

    gen *g = calloc(1, sizeof *g);
    if (!g)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    st = gen_setup(g, opts, err);
    if (st == LF_OK)
        st = out_open(&g->leads_out, opts->out_dir, "leads.csv", LF_OUTFILE_PRIVATE, err);
    if (st == LF_OK)
        st = out_open(&g->events_out, opts->out_dir, "events.csv", LF_OUTFILE_PRIVATE, err);
    if (st == LF_OK)
        st = generate_leads(g, err);
    st = out_close(&g->leads_out, st, err);
    st = out_close(&g->events_out, st, err);

    if (st == LF_OK) {
        rng r;
        rng_seed(&r, opts->seed, STREAM_GLOBAL, 2);
        out o;
        st = out_open(&o, opts->out_dir, "costs.csv", LF_OUTFILE_PRIVATE, err);
        if (st == LF_OK)
            write_costs(g, &r, &o);
        st = out_close(&o, st, err);
        if (st == LF_OK)
            st = out_open(&o, opts->out_dir, "traffic.csv", LF_OUTFILE_PRIVATE, err);
        if (st == LF_OK)
            write_traffic(g, &r, &o);
        st = out_close(&o, st, err);
        if (st == LF_OK)
            st = out_open(&o, opts->out_dir, "leadflow.yaml", LF_OUTFILE_PUBLIC, err);
        if (st == LF_OK)
            write_config(g, &o);
        st = out_close(&o, st, err);
    }
    gen_release(g);
    free(g);
    return st;
}
