/*
 * time.c — civil dates, IANA time zones and ISO 8601 (see leadflow/time.h).
 *
 * Place in the flow: every edge that turns text into an instant (import, config,
 * command-line ranges) or an instant into a local day (period buckets, the business
 * clock) goes through here. Nothing here touches process-global time state: no TZ
 * environment variable, no tzset, no localtime; zones are values.
 *
 * Civil dates use the proleptic Gregorian calendar and March-based years (so the leap
 * day is the last day of a "year" and month lengths follow a linear formula); all
 * intermediate arithmetic is 64-bit and uses floor division so negative day numbers
 * (before 1970) work.
 *
 * A zone is read from a TZif file (RFC 8536): the 64-bit (v2+) section when present,
 * else the v1 section. Only UTC offsets matter to us (abbreviations and isdst flags
 * are dropped), so the transition table is compressed to the instants where the
 * offset really changes. Time before the first transition uses time type 0; from
 * the last raw transition on, the POSIX TZ footer ("CET-1CEST,M3.5.0,M10.5.0/3")
 * is evaluated: its changes are computed for the years around the instant asked
 * about, so nothing is pre-generated and far-future instants need no table.
 *
 * Invariants of a loaded lf_tz: at[] is strictly ascending, off[i] differs from the
 * offset before at[i], every offset is within RFC 8536 bounds (-89999..93599 s),
 * which lets local -> instant look only at a window of +-27 hours. After loading,
 * an lf_tz is immutable, so one zone may be shared by any number of threads.
 *
 * Local -> instant walks the offset segments overlapping [L - 27h, L + 27h] in
 * order; the first segment whose candidate L - offset falls inside it gives the
 * earliest instant (fall-back overlap rule); a candidate falling before its segment
 * after the previous one overshot its end means L is in a spring-forward gap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leadflow/time.h"

#define SECS_PER_DAY INT64_C(86400)
#define NO_NEXT INT64_MAX /* "the offset never changes again" (seconds) */
#define OFF_MIN (-89999)  /* RFC 8536 bounds on a UTC offset */
#define OFF_MAX 93599
#define WINDOW (27 * 3600) /* > max |offset|: local -> instant search window */
#define TZ_NAME_MAX 128
#define TZ_FILE_MAX (1u << 20) /* real TZif files are a few KB */

/* ------------------------------------------------------------------------------ */
/* Civil dates                                                                    */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Day number of a civil date; month may be out of 1..12 (it carries into year). */
static int64_t days_from_civil64(int64_t y, int64_t m, int64_t d)
{
    y += floor_div(m - 1, 12);
    m = floor_mod(m - 1, 12) + 1;
    /* Count years from March: Jan and Feb belong to the previous year, so the
     * variable-length February ends the year. */
    if (m <= 2)
        y--;
    int64_t mar = (m + 9) % 12; /* March = 0 ... February = 11 */
    int64_t cycle = floor_div(y, 400);
    int64_t yc = y - cycle * 400; /* year within the 400-year cycle, 0..399 */
    int64_t doy = (153 * mar + 2) / 5 + d - 1;
    int64_t dc = yc * 365 + yc / 4 - yc / 100 + doy; /* day within the cycle */
    /* 719468 = days from 0000-03-01 to 1970-01-01 */
    return cycle * 146097 + dc - 719468;
}

static void civil_from_days64(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t cycle = floor_div(z, 146097);
    int64_t dc = z - cycle * 146097; /* 0..146096 */
    /* years into the cycle: remove the leap days before dc, then divide */
    int64_t yc = (dc - dc / 1460 + dc / 36524 - dc / 146096) / 365;
    int64_t doy = dc - (365 * yc + yc / 4 - yc / 100);
    int64_t mar = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mar + 2) / 5 + 1);
    *m = (int)(mar < 10 ? mar + 3 : mar - 9);
    *y = yc + cycle * 400 + (*m <= 2);
}

int32_t lf_days_from_civil(int year, int month, int day)
{
    return (int32_t)days_from_civil64(year, month, day);
}

void lf_civil_from_days(int32_t days, int *year, int *month, int *day)
{
    int64_t y;
    civil_from_days64(days, &y, month, day);
    *year = (int)y;
}

static int weekday64(int64_t days)
{
    return (int)floor_mod(days + 3, 7); /* 1970-01-01 was a Thursday (3) */
}

int lf_weekday(int32_t days)
{
    return weekday64(days);
}

int lf_days_in_month(int year, int month)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return len[month - 1] + (month == 2 && is_leap(year));
}

/* ------------------------------------------------------------------------------ */
/* Zones                                                                          */

/* One date of a POSIX TZ rule: Mm.w.d, Jn (1..365, no Feb 29) or n (0..365). */
typedef struct tz_date {
    char kind;    /* 'M', 'J' or 'N' */
    int a, b, c;  /* M: month, week (5 = last), weekday (0 = Sunday); J/N: day in a */
    int32_t time; /* seconds after local midnight (may be negative or > 24h) */
} tz_date;

struct lf_tz {
    char name[TZ_NAME_MAX];
    int32_t off0;  /* offset before the first transition (time type 0) */
    size_t n;      /* transitions where the offset changes */
    int64_t *at;   /* their instants, seconds, strictly ascending */
    int32_t *off;  /* offset from at[i] on */
    bool has_rule; /* the footer governs instants >= rule_from */
    bool has_dst;  /* the footer has a DST part */
    int64_t rule_from;
    int32_t std_off, dst_off;
    tz_date start, end; /* DST starts (in standard time) and ends (in DST) */
};

static const lf_tz utc_zone = {.name = "UTC"};

const lf_tz *lf_tz_utc(void)
{
    return &utc_zone;
}

void lf_tz_free(lf_tz *tz)
{
    if (!tz || tz == &utc_zone)
        return;
    free(tz->at);
    free(tz->off);
    free(tz);
}

const char *lf_tz_name(const lf_tz *tz)
{
    return tz->name;
}

/* Day number of a rule date in year y. */
static int64_t rule_day(const tz_date *r, int64_t y)
{
    if (r->kind == 'J')
        return days_from_civil64(y, 1, 1) + r->a - 1 + (is_leap(y) && r->a >= 60);
    if (r->kind == 'N')
        return days_from_civil64(y, 1, 1) + r->a;
    int64_t first = days_from_civil64(y, r->a, 1);
    int wd_sun = (weekday64(first) + 1) % 7; /* weekday of the 1st, 0 = Sunday */
    int day = 1 + (r->c - wd_sun + 7) % 7 + (r->b - 1) * 7;
    int dim = lf_days_in_month((int)y, r->a);
    while (day > dim)
        day -= 7;
    return first + day - 1;
}

typedef struct rule_change {
    int64_t at;
    int32_t off; /* offset from `at` on */
} rule_change;

/* Offset at t (seconds) under the footer rule; *next = the first instant > t at
 * which it changes, or NO_NEXT. Changes of the years around t are computed and
 * ordered; equal instants are resolved by order of computation, so a rule whose
 * DST "ends" exactly when next year's begins (permanent DST) never changes. */
static int32_t rule_lookup(const lf_tz *tz, int64_t t, int64_t *next)
{
    if (!tz->has_dst) {
        *next = NO_NEXT;
        return tz->std_off;
    }
    int64_t y0;
    int md, dd;
    civil_from_days64(floor_div(t + tz->std_off, SECS_PER_DAY), &y0, &md, &dd);
    rule_change ch[8];
    int n = 0;
    for (int64_t y = y0 - 1; y <= y0 + 2; y++) {
        rule_change s = {rule_day(&tz->start, y) * SECS_PER_DAY + tz->start.time - tz->std_off,
                         tz->dst_off};
        rule_change e = {rule_day(&tz->end, y) * SECS_PER_DAY + tz->end.time - tz->dst_off,
                         tz->std_off};
        /* stable insertion: equal instants keep their computation order */
        for (int k = 0; k < 2; k++) {
            rule_change c = k == 0 ? s : e;
            int j = n++;
            while (j > 0 && ch[j - 1].at > c.at) {
                ch[j] = ch[j - 1];
                j--;
            }
            ch[j] = c;
        }
    }
    int last = -1; /* last change at or before t */
    for (int i = 0; i < n && ch[i].at <= t; i++)
        last = i;
    int32_t cur = last >= 0 ? ch[last].off : (ch[0].off == tz->std_off ? tz->dst_off : tz->std_off);
    /* Changes of year y0 + 3 (not computed) can share an instant with those of
     * y0 + 2, but not come before its start less the largest rule time and offset:
     * only changes before that horizon are certain. */
    int64_t horizon = days_from_civil64(y0 + 3, 1, 1) * SECS_PER_DAY - 9 * SECS_PER_DAY;
    *next = NO_NEXT;
    for (int i = last + 1; i < n && ch[i].at < horizon; i++) {
        /* the state after a group of equal instants is that of its last member */
        if (i + 1 < n && ch[i + 1].at == ch[i].at)
            continue;
        if (ch[i].off != cur) {
            *next = ch[i].at;
            break;
        }
    }
    return cur;
}

/* Offset in force at t (seconds); *next = first instant > t where it changes. */
static int32_t tz_lookup(const lf_tz *tz, int64_t t, int64_t *next)
{
    if (tz->has_rule && t >= tz->rule_from)
        return rule_lookup(tz, t, next);
    size_t lo = 0, hi = tz->n;
    while (lo < hi) { /* first transition > t */
        size_t mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    int32_t off = lo ? tz->off[lo - 1] : tz->off0;
    if (lo < tz->n) {
        *next = tz->at[lo];
    } else if (!tz->has_rule) {
        *next = NO_NEXT;
    } else {
        int64_t rn;
        int32_t ro = rule_lookup(tz, tz->rule_from, &rn);
        *next = ro != off ? tz->rule_from : rn;
    }
    return off;
}

int32_t lf_tz_offset(const lf_tz *tz, lf_time t)
{
    int64_t next;
    return tz_lookup(tz, floor_div(t, LF_USEC_PER_SEC), &next);
}

lf_time lf_tz_next_transition(const lf_tz *tz, lf_time t)
{
    if (t == LF_TIME_NONE)
        return LF_TIME_NONE;
    int64_t next;
    tz_lookup(tz, floor_div(t, LF_USEC_PER_SEC), &next);
    if (next == NO_NEXT || next > INT64_MAX / LF_USEC_PER_SEC)
        return LF_TIME_NONE;
    return next * LF_USEC_PER_SEC;
}

/* Instant (seconds) of local wall time L (seconds since the epoch as if UTC).
 * Overlap: the earliest instant. Gap: L read with the offset before the gap, or,
 * with gap_to_transition, the transition instant itself (where the day begins). */
static int64_t resolve_local(const lf_tz *tz, int64_t L, bool gap_to_transition)
{
    int64_t seg = L - WINDOW, next;
    int32_t off = tz_lookup(tz, seg, &next), prev = off;
    for (bool first = true;; first = false) {
        int64_t cand = L - off;
        if (!first && cand < seg)
            return gap_to_transition ? seg : L - prev;
        if (cand < next)
            return cand;
        prev = off;
        seg = next;
        off = tz_lookup(tz, seg, &next);
    }
}

/* ---- POSIX TZ strings (the TZif footer) ---- */

typedef struct tzscan {
    const char *s;
    size_t n, i;
} tzscan;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int peek(const tzscan *p)
{
    return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

/* An abbreviation: 3+ letters, or <...> of 3+ letters, digits, '+', '-'. */
static bool tzs_name(tzscan *p)
{
    size_t st = p->i;
    if (peek(p) == '<') {
        st = ++p->i;
        while (p->i < p->n && p->s[p->i] != '>') {
            char c = p->s[p->i];
            if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-')
                return false;
            p->i++;
        }
        if (p->i >= p->n || p->i - st < 3)
            return false;
        p->i++;
        return true;
    }
    while (p->i < p->n && is_alpha(p->s[p->i]))
        p->i++;
    return p->i - st >= 3;
}

static bool tzs_num(tzscan *p, int maxdigits, int maxval, int *v)
{
    int k = 0, x = 0;
    while (k < maxdigits && p->i < p->n && is_digit(p->s[p->i])) {
        x = x * 10 + (p->s[p->i++] - '0');
        k++;
    }
    *v = x;
    return k > 0 && x <= maxval;
}

/* [+-]h[h[h]][:mm[:ss]] in seconds (sign applied). */
static bool tzs_hms(tzscan *p, int maxh, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (peek(p) == '+' || peek(p) == '-')
        sign = p->s[p->i++] == '-' ? -1 : 1;
    if (!tzs_num(p, 3, maxh, &h))
        return false;
    if (peek(p) == ':') {
        p->i++;
        if (!tzs_num(p, 2, 59, &m))
            return false;
        if (peek(p) == ':') {
            p->i++;
            if (!tzs_num(p, 2, 59, &s))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool tzs_date(tzscan *p, tz_date *d)
{
    d->time = 7200; /* default 02:00 */
    if (peek(p) == 'M') {
        p->i++;
        d->kind = 'M';
        if (!tzs_num(p, 2, 12, &d->a) || d->a < 1 || peek(p) != '.')
            return false;
        p->i++;
        if (!tzs_num(p, 1, 5, &d->b) || d->b < 1 || peek(p) != '.')
            return false;
        p->i++;
        if (!tzs_num(p, 1, 6, &d->c))
            return false;
    } else if (peek(p) == 'J') {
        p->i++;
        d->kind = 'J';
        if (!tzs_num(p, 3, 365, &d->a) || d->a < 1)
            return false;
    } else {
        d->kind = 'N';
        if (!tzs_num(p, 3, 365, &d->a))
            return false;
    }
    if (peek(p) == '/') {
        p->i++;
        return tzs_hms(p, 167, &d->time);
    }
    return true;
}

static bool off_ok(int32_t off)
{
    return off >= OFF_MIN && off <= OFF_MAX;
}

/* Parses "std offset [dst [offset] [,start[/time],end[/time]]]" into tz. */
static bool parse_posix_tz(lf_tz *tz, const char *s, size_t n)
{
    tzscan p = {s, n, 0};
    int32_t v;
    if (!tzs_name(&p) || !tzs_hms(&p, 24, &v))
        return false;
    tz->std_off = -v; /* POSIX offsets count hours west */
    tz->dst_off = tz->std_off;
    tz->has_dst = false;
    if (p.i < p.n) {
        if (!tzs_name(&p))
            return false;
        tz->has_dst = true;
        tz->dst_off = tz->std_off + 3600;
        int c = peek(&p);
        if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            if (!tzs_hms(&p, 24, &v))
                return false;
            tz->dst_off = -v;
        }
        if (peek(&p) == ',') {
            p.i++;
            if (!tzs_date(&p, &tz->start) || peek(&p) != ',')
                return false;
            p.i++;
            if (!tzs_date(&p, &tz->end))
                return false;
        } else {
            /* no rule: the historical US default, as POSIX leaves it open */
            tz->start = (tz_date){'M', 3, 2, 0, 7200};
            tz->end = (tz_date){'M', 11, 1, 0, 7200};
        }
    }
    return p.i == p.n && off_ok(tz->std_off) && off_ok(tz->dst_off);
}

/* ---- TZif ---- */

typedef struct tzif_head {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_head;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
    return (int64_t)v;
}

static bool tzif_head_read(const unsigned char *p, size_t n, size_t pos, tzif_head *h)
{
    if (n < 44 || pos > n - 44 || memcmp(p + pos, "TZif", 4) != 0)
        return false;
    const unsigned char *c = p + pos + 20;
    h->isut = be32(c);
    h->isstd = be32(c + 4);
    h->leap = be32(c + 8);
    h->time = be32(c + 12);
    h->type = be32(c + 16);
    h->chars = be32(c + 20);
    return true;
}

static uint64_t tzif_body_len(const tzif_head *h, unsigned w)
{
    return (uint64_t)h->time * (w + 1) + (uint64_t)h->type * 6 + h->chars +
           (uint64_t)h->leap * (w + 4) + h->isstd + h->isut;
}

/* Builds tz from the file image; returns NULL on success or what is wrong. */
static const char *tzif_parse(lf_tz *tz, const unsigned char *p, size_t n)
{
    tzif_head h;
    if (!tzif_head_read(p, n, 0, &h))
        return "not a TZif file";
    unsigned w = 4;
    size_t pos = 44;
    bool v2 = p[4] >= '2';
    if (v2) {
        uint64_t skip = tzif_body_len(&h, 4);
        if (skip > n - pos || !tzif_head_read(p, n, pos + (size_t)skip, &h))
            return "truncated";
        pos += (size_t)skip + 44;
        w = 8;
    }
    uint64_t body = tzif_body_len(&h, w);
    if (body > n - pos)
        return "truncated";
    if (h.type == 0 || h.type > 256)
        return "bad type count";
    if (h.leap)
        return "leap seconds are not supported";
    const unsigned char *times = p + pos;
    const unsigned char *idx = times + (size_t)h.time * w;
    const unsigned char *types = idx + h.time;
    for (uint32_t i = 0; i < h.type; i++) {
        const unsigned char *t = types + 6 * i;
        if (!off_ok((int32_t)be32(t)) || t[4] > 1 || (h.chars && t[5] >= h.chars))
            return "bad time type";
    }
    tz->off0 = (int32_t)be32(types);
    if (h.time) {
        tz->at = malloc(sizeof *tz->at * h.time);
        tz->off = malloc(sizeof *tz->off * h.time);
        if (!tz->at || !tz->off)
            return "out of memory";
    }
    int32_t prev = tz->off0;
    int64_t last = 0;
    for (uint32_t i = 0; i < h.time; i++) {
        int64_t at = w == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
        if (i && at <= last)
            return "transitions out of order";
        if (idx[i] >= h.type)
            return "bad transition type";
        last = at;
        int32_t off = (int32_t)be32(types + 6 * idx[i]);
        if (off != prev) {
            tz->at[tz->n] = at;
            tz->off[tz->n++] = off;
            prev = off;
        }
    }
    tz->rule_from = h.time ? last : INT64_MIN;
    if (v2) {
        pos += (size_t)body;
        if (pos >= n || p[pos] != '\n')
            return "missing footer";
        const unsigned char *f = p + pos + 1;
        const unsigned char *nl = memchr(f, '\n', n - pos - 1);
        if (!nl)
            return "unterminated footer";
        if (nl > f) {
            if (!parse_posix_tz(tz, (const char *)f, (size_t)(nl - f)))
                return "bad footer rule";
            tz->has_rule = true;
        }
    }
    return NULL;
}

static bool tz_name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len >= TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!is_alpha(c) && !is_digit(c) && !strchr("/_+-.", c))
            return false;
    }
    return true;
}

/* Reads a whole regular file of at most TZ_FILE_MAX bytes; NULL if unreadable. */
static unsigned char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    unsigned char *data = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= TZ_FILE_MAX)
        data = malloc((size_t)st.st_size);
    size_t got = 0;
    while (data && got < (size_t)st.st_size) {
        ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (data && got != (size_t)st.st_size) {
        free(data);
        data = NULL;
    }
    *len = got;
    return data;
}

lf_status lf_tz_load(lf_tz **out, const char *name, lf_error *err)
{
    *out = NULL;
    if (!name || !tz_name_ok(name))
        return lf_errorf(err, LF_ECONFIG, "unknown time zone '%s'", name ? name : "");
    lf_tz *tz = calloc(1, sizeof *tz);
    if (!tz)
        return lf_errorf(err, LF_ENOMEM, "out of memory loading time zone '%s'", name);
    snprintf(tz->name, sizeof tz->name, "%s", name);
    /* UTC needs no file, so a machine without tzdata still runs the default zone */
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
        *out = tz;
        return LF_OK;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[4096];
    int pl = snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    unsigned char *data = pl > 0 && (size_t)pl < sizeof path ? slurp(path, &len) : NULL;
    if (!data) {
        lf_tz_free(tz);
        return lf_errorf(err, LF_ECONFIG, "unknown time zone '%s'", name);
    }
    const char *why = tzif_parse(tz, data, len);
    free(data);
    if (why) {
        lf_tz_free(tz);
        return lf_errorf(err, LF_ECONFIG, "bad time zone file for '%s': %s: %s", name, path, why);
    }
    *out = tz;
    return LF_OK;
}

/* ------------------------------------------------------------------------------ */
/* Conversions                                                                    */

void lf_time_to_local(const lf_tz *tz, lf_time t, lf_civil *out)
{
    int64_t secs = floor_div(t, LF_USEC_PER_SEC), next;
    int32_t off = tz_lookup(tz, secs, &next);
    int64_t local = secs + off;
    int64_t days = floor_div(local, SECS_PER_DAY), sod = local - days * SECS_PER_DAY, y;
    civil_from_days64(days, &y, &out->month, &out->day);
    out->year = (int)y;
    out->hour = (int)(sod / 3600);
    out->min = (int)(sod / 60 % 60);
    out->sec = (int)(sod % 60);
    out->usec = (int)(t - secs * LF_USEC_PER_SEC);
    out->wday = weekday64(days);
    out->offset = off;
}

static lf_time from_secs(int64_t secs, int64_t usec)
{
    if (secs > INT64_MAX / LF_USEC_PER_SEC - 1 || secs < INT64_MIN / LF_USEC_PER_SEC + 1)
        return LF_TIME_NONE;
    return secs * LF_USEC_PER_SEC + usec;
}

lf_time lf_time_from_local(const lf_tz *tz, const lf_civil *c)
{
    int64_t L = days_from_civil64(c->year, c->month, c->day) * SECS_PER_DAY +
                (int64_t)c->hour * 3600 + (int64_t)c->min * 60 + c->sec;
    return from_secs(resolve_local(tz, L, false), c->usec);
}

lf_time lf_day_start(const lf_tz *tz, int32_t days)
{
    return from_secs(resolve_local(tz, (int64_t)days * SECS_PER_DAY, true), 0);
}

int32_t lf_local_day(const lf_tz *tz, lf_time t)
{
    int64_t secs = floor_div(t, LF_USEC_PER_SEC), next;
    return (int32_t)floor_div(secs + tz_lookup(tz, secs, &next), SECS_PER_DAY);
}

/* ------------------------------------------------------------------------------ */
/* ISO 8601                                                                       */

/* Exactly k digits at s[*i]; advances *i. */
static bool digits(const char *s, size_t n, size_t *i, int k, int *v)
{
    if (*i > n || n - *i < (size_t)k)
        return false;
    int x = 0;
    for (int j = 0; j < k; j++) {
        char c = s[*i + (size_t)j];
        if (!is_digit(c))
            return false;
        x = x * 10 + (c - '0');
    }
    *i += (size_t)k;
    *v = x;
    return true;
}

static bool expect(const char *s, size_t n, size_t *i, char c)
{
    if (*i >= n || s[*i] != c)
        return false;
    (*i)++;
    return true;
}

/* "YYYY-MM-DD" at s[*i], validated by round trip through the day number. */
static bool parse_ymd(const char *s, size_t n, size_t *i, int64_t *days)
{
    int y = 0, m = 0, d = 0, ry, rm, rd;
    if (!digits(s, n, i, 4, &y) || !expect(s, n, i, '-') || !digits(s, n, i, 2, &m) ||
        !expect(s, n, i, '-') || !digits(s, n, i, 2, &d))
        return false;
    *days = days_from_civil64(y, m, d);
    lf_civil_from_days((int32_t)*days, &ry, &rm, &rd);
    return ry == y && rm == m && rd == d;
}

/* Quotes input in an error message: at most 64 bytes, control bytes as '?'. */
static lf_status bad_input(lf_error *err, const char *what, const char *s, size_t n)
{
    char q[65];
    size_t k = n < 64 ? n : 64;
    for (size_t j = 0; j < k; j++)
        q[j] = (unsigned char)s[j] < 0x20 || s[j] == 0x7f ? '?' : s[j];
    q[k] = '\0';
    return lf_errorf(err, LF_EINPUT, "bad %s '%s%s'", what, q, n > 64 ? "..." : "");
}

lf_status lf_time_parse(const char *s, size_t n, const lf_tz *tz, lf_time *out, bool *date_only,
                        lf_error *err)
{
    size_t i = 0;
    int64_t days;
    if (!parse_ymd(s, n, &i, &days))
        return bad_input(err, "timestamp", s, n);
    if (i == n) {
        /* local midnight; where a DST jump skips 00:00, the day begins at the jump */
        *out = lf_day_start(tz, (int32_t)days);
        if (date_only)
            *date_only = true;
        return LF_OK;
    }
    int hh, mm, ss = 0, us = 0;
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
        return bad_input(err, "timestamp", s, n);
    i++;
    if (!digits(s, n, &i, 2, &hh) || !expect(s, n, &i, ':') || !digits(s, n, &i, 2, &mm))
        return bad_input(err, "timestamp", s, n);
    if (i < n && s[i] == ':') {
        i++;
        if (!digits(s, n, &i, 2, &ss))
            return bad_input(err, "timestamp", s, n);
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            i++;
            int k = 0;
            for (; i < n && is_digit(s[i]); i++, k++)
                if (k < 6)
                    us = us * 10 + (s[i] - '0');
            if (k == 0)
                return bad_input(err, "timestamp", s, n);
            for (; k < 6; k++)
                us *= 10;
        }
    }
    if (hh > 23 || mm > 59 || ss > 59)
        return bad_input(err, "timestamp", s, n);
    int64_t L = days * SECS_PER_DAY + hh * 3600 + mm * 60 + ss;
    int64_t secs;
    if (i == n) {
        secs = resolve_local(tz, L, false);
    } else if (s[i] == 'Z' || s[i] == 'z') {
        secs = L;
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
        if (!digits(s, n, &i, 2, &oh))
            return bad_input(err, "timestamp", s, n);
        if (i < n && s[i] == ':') {
            i++;
            if (!digits(s, n, &i, 2, &om))
                return bad_input(err, "timestamp", s, n);
        } else if (i < n && !digits(s, n, &i, 2, &om)) {
            return bad_input(err, "timestamp", s, n);
        }
        if (oh > 23 || om > 59)
            return bad_input(err, "timestamp", s, n);
        secs = L - sign * (oh * 3600 + om * 60);
    } else {
        return bad_input(err, "timestamp", s, n);
    }
    if (i != n)
        return bad_input(err, "timestamp", s, n);
    *out = from_secs(secs, us);
    if (date_only)
        *date_only = false;
    return LF_OK;
}

lf_status lf_date_parse(const char *s, size_t n, int32_t *days, lf_error *err)
{
    size_t i = 0;
    int64_t d;
    if (!parse_ymd(s, n, &i, &d) || i != n)
        return bad_input(err, "date", s, n);
    *days = (int32_t)d;
    return LF_OK;
}

lf_status lf_month_parse(const char *s, size_t n, int *year, int *month, lf_error *err)
{
    size_t i = 0;
    int y, m;
    if (!digits(s, n, &i, 4, &y) || !expect(s, n, &i, '-') || !digits(s, n, &i, 2, &m) || i != n ||
        m < 1 || m > 12)
        return bad_input(err, "month", s, n);
    *year = y;
    *month = m;
    return LF_OK;
}

/* ------------------------------------------------------------------------------ */
/* Formatting                                                                     */

static size_t written(int r, size_t size)
{
    if (r < 0 || size == 0)
        return 0;
    return (size_t)r < size ? (size_t)r : size - 1;
}

/* ".ffffff" without trailing zeros, or "" for a whole second. */
static void fraction(int usec, char frac[8])
{
    frac[0] = '\0';
    if (usec == 0)
        return;
    snprintf(frac, 8, ".%06d", usec);
    size_t k = 7;
    while (frac[k - 1] == '0')
        k--;
    frac[k] = '\0';
}

/* "2026-01-05T11:00:00[.ffffff]" + "Z" (zulu) or the offset "+01:00[:ss]". */
static size_t format_time(const lf_tz *tz, lf_time t, bool zulu, char *buf, size_t size)
{
    lf_civil c;
    char frac[8], off[16] = "Z";
    lf_time_to_local(tz, t, &c);
    fraction(c.usec, frac);
    if (!zulu) {
        int32_t a = c.offset < 0 ? -c.offset : c.offset;
        int r = snprintf(off, sizeof off, "%c%02d:%02d", c.offset < 0 ? '-' : '+', (int)(a / 3600),
                         (int)(a / 60 % 60));
        if (a % 60 && r > 0 && (size_t)r < sizeof off)
            snprintf(off + r, sizeof off - (size_t)r, ":%02d", (int)(a % 60));
    }
    int r = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", c.year, c.month, c.day, c.hour,
                     c.min, c.sec, frac, off);
    return written(r, size);
}

size_t lf_time_format_utc(lf_time t, char *buf, size_t size)
{
    return format_time(lf_tz_utc(), t, true, buf, size);
}

size_t lf_time_format_local(const lf_tz *tz, lf_time t, char *buf, size_t size)
{
    return format_time(tz, t, false, buf, size);
}

size_t lf_date_format(int32_t days, char *buf, size_t size)
{
    int y, m, d;
    lf_civil_from_days(days, &y, &m, &d);
    return written(snprintf(buf, size, "%04d-%02d-%02d", y, m, d), size);
}

/* ---- now ---------------------------------------------------------------------------- */

lf_time lf_time_now(void)
{
#ifdef LF_TEST_HOOKS
    const char *t = getenv("LEADFLOW_TEST_NOW");
    lf_time fixed;
    if (t && *t && lf_time_parse(t, strlen(t), lf_tz_utc(), &fixed, NULL, NULL) == LF_OK)
        return fixed;
#endif
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (lf_time)now.tv_sec * LF_USEC_PER_SEC + now.tv_nsec / 1000;
}

int64_t lf_mono_usec(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}
