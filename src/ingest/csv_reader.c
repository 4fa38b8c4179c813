/*
 * csv_reader.c — streaming RFC 4180 reader (see leadflow/csv.h).
 *
 * Place in the flow: the first step of ingest. import.c pulls records from here,
 * maps header names and validates rows; this file knows nothing about columns.
 *
 * Input arrives through the caller's read callback into one fixed buffer of bufsize
 * bytes. The parser consumes a chunk [p, e): normally the unread part of that buffer;
 * once, possibly, the bytes of a partial BOM match that turned out to be data (they are
 * replayed from a static copy while the buffer's rest is held back). Every piece of
 * state survives a chunk boundary, so input cut anywhere (bufsize 1, short reads)
 * yields exactly the records of input read in one piece.
 *
 * State machine (one byte decides each transition; EOL is CR or LF):
 *
 *   REC    between records   EOL: a blank line, skipped; other: a record starts, FIELD
 *   FIELD  at a field start  '"': QUO; ',': empty field; EOL: empty field, record ends;
 *                            other: UNQ
 *   UNQ    unquoted field    ',': field ends, FIELD; EOL: field and record end;
 *                            '"': error (stray quote); other: data
 *   QUO    quoted field      '"': QQ; other (EOL too, counted as a line): data
 *   QQ     quote in QUO      '"': a data '"', QUO; ',': field ends, FIELD;
 *                            EOL: field and record end; other: error (text after quote)
 *
 *   End of input: in REC the end; in FIELD, UNQ, QQ the last record ends there; in QUO
 *   the error "unterminated quoted field", then the end.
 *
 * Limits (hostile input must not run forever or take all memory): a record may hold
 * max_record bytes (its line end excluded, quoted line ends included), a run of
 * blank lines may hold max_record lines, the input max_input bytes, a record
 * LF_CSV_MAX_FIELDS fields. The field limits (size, count) are per record errors
 * like a stray quote. The other three give up on the input: the record in progress
 * (or an empty one at the current line) is returned as an error, forced over an
 * earlier error of that record, and every later call reports the end of input; so
 * one call consumes at most max_record + 1 bytes of a record, or about 2 x max_record
 * bytes of blank lines, before it returns. The record limit is exact, whatever the
 * chunks: while a record is open the parser only sees the chunk up to `lim`, at most
 * max_record + 1 bytes into the record (set when a chunk or a record begins), and
 * reaching lim is checked where the loop would read the next chunk.
 *
 * A CR that ends a line sets skip_lf, so an LF right after it (maybe in the next
 * chunk) belongs to the same line end; inside quotes qcr plays that role for line
 * counting. Line ends inside quoted fields are kept as data, byte for byte.
 *
 * Errors. The first error of a record is kept in rec_err and the record goes on in
 * "skipping" mode: the same state machine, so quotes keep their meaning and a quoted
 * newline does not end the record, but nothing is stored, no further error is raised,
 * and in UNQ a quote is plain data (also the text after a closing quote is read as
 * UNQ). When the record ends, lf_csv_next returns LF_EINPUT. The only exception: end of
 * input inside quotes replaces an earlier error, since it explains why the rest of
 * the input vanished. Read errors and allocation failures are sticky (fatal).
 * Error positions are those of the offending cell: the physical line where the field
 * begins and its 1-based index.
 *
 * The hot path (unquoted fields, large buffer) scans with a 256-entry class table,
 * four bytes per iteration, and appends each field to one lf_buf in one call.
 *
 * Invariants:
 *  - line is the physical line of the next byte to consume.
 *  - data holds the current record's finished fields, each followed by a NUL, then
 *    the bytes of the current field from fstart; offs/lens describe finished fields.
 *  - data.len - fstart <= max_field while not skipping.
 *  - rec_bytes + (bytes consumed in the chunk since raw_from) <= max_record + 1 while a
 *    record is open; more than max_record ends the input.
 *  - raw holds the record's bytes consumed up to the start of the current chunk (the
 *    rest is [raw_from, p) in lf_csv_next), at most raw_max bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/csv.h"

enum { ST_REC, ST_FIELD, ST_UNQ, ST_QUO, ST_QQ };

#define CSV_DEFAULT_BUFSIZE (64 * 1024)
#define CSV_DEFAULT_MAX_FIELD (1024 * 1024)
#define CSV_DEFAULT_MAX_RECORD ((size_t)64 * 1024 * 1024)
#define CSV_DEFAULT_MAX_INPUT ((uint64_t)64 * 1024 * 1024 * 1024)

static const char k_bom[3] = {'\xEF', '\xBB', '\xBF'};

/* Byte classes: non-zero stops a scan. */
static const unsigned char k_unq[256] = {[','] = 1, ['\r'] = 1, ['\n'] = 1, ['"'] = 1};
static const unsigned char k_quo[256] = {['"'] = 1, ['\r'] = 1, ['\n'] = 1};

struct lf_csv {
    lf_csv_read_fn read;
    void *ctx;
    char *in; /* input buffer, bufsize bytes */
    size_t bufsize;
    const char *p, *e;           /* unconsumed part of the current chunk */
    const char *held_p, *held_e; /* buffer bytes waiting behind a replayed BOM prefix */
    int bom;                     /* BOM bytes matched so far; 3 = decided */
    int eof;                     /* the callback returned 0 (or input was abandoned) */
    int over;                    /* the callback gave more than max_input bytes */
    uint64_t in_bytes;           /* bytes taken from the callback (at most max_input) */
    uint64_t max_input;
    size_t max_record;
    size_t blank;    /* blank lines in the current run */
    long blank_line; /* where that run began */
    lf_status fatal; /* sticky LF_ESTORE / LF_ENOMEM */

    int st;
    int skip_lf; /* a CR ended the last line: an LF next is part of it */
    int qcr;     /* inside quotes, the last byte was a CR */
    int qnl;     /* inside quotes, the last byte was a CR or LF */
    long line;

    /* the record in progress */
    long rec_line, end_line, field_line;
    int skipping;
    lf_error rec_err;
    size_t fidx;   /* 0-based index of the current field */
    size_t fstart; /* offset in data of the current field */
    size_t max_field;
    lf_buf data;
    lf_buf raw;
    size_t rec_bytes; /* bytes of the record before the current chunk (raw, uncut) */
    size_t raw_max;
    int raw_trunc;
    size_t fcap;
    size_t *offs;
    size_t *lens;
    char **fields;
};

lf_csv *lf_csv_new(lf_csv_read_fn read, void *ctx, size_t bufsize, size_t max_field)
{
    if (!read)
        return NULL;
    lf_csv *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->bufsize = bufsize ? bufsize : CSV_DEFAULT_BUFSIZE;
    c->in = malloc(c->bufsize);
    if (!c->in) {
        free(c);
        return NULL;
    }
    c->read = read;
    c->ctx = ctx;
    c->p = c->e = c->in;
    c->line = 1;
    c->st = ST_REC;
    c->max_field = max_field ? max_field : CSV_DEFAULT_MAX_FIELD;
    c->raw_max =
        c->max_field > SIZE_MAX - LF_CSV_RAW_EXTRA ? SIZE_MAX : c->max_field + LF_CSV_RAW_EXTRA;
    lf_csv_set_limits(c, 0, 0);
    lf_buf_init(&c->data, 0);
    lf_buf_init(&c->raw, 0);
    lf_error_clear(&c->rec_err);
    return c;
}

void lf_csv_set_limits(lf_csv *c, size_t max_record_bytes, uint64_t max_input_bytes)
{
    /* SIZE_MAX would make max_record + 1 wrap in the room computation */
    c->max_record = max_record_bytes == 0         ? CSV_DEFAULT_MAX_RECORD
                    : max_record_bytes < SIZE_MAX ? max_record_bytes
                                                  : SIZE_MAX - 1;
    c->max_input = max_input_bytes ? max_input_bytes : CSV_DEFAULT_MAX_INPUT;
}

void lf_csv_free(lf_csv *c)
{
    if (!c)
        return;
    lf_buf_release(&c->data);
    lf_buf_release(&c->raw);
    free(c->offs);
    free(c->lens);
    free(c->fields);
    free(c->in);
    free(c);
}

size_t lf_csv_read_file(void *file, char *buf, size_t n)
{
    size_t got = fread(buf, 1, n, (FILE *)file);
    if (got == 0 && ferror((FILE *)file))
        return (size_t)-1;
    return got;
}

/* Makes [c->p, c->e) the next non-empty chunk. Returns 1, 0 at end of input, -1
 * when the callback failed, or -2 when the input goes on beyond max_input bytes (the
 * chunk before stops exactly there). Swallows a BOM at the very start of input. */
static int fill(lf_csv *c)
{
    if (c->held_p) {
        c->p = c->held_p;
        c->e = c->held_e;
        c->held_p = c->held_e = NULL;
        return 1;
    }
    for (;;) { /* each turn consumes input or ends: at most max_input turns */
        if (c->eof)
            return 0;
        if (c->over)
            return -2;
        size_t n = c->read(c->ctx, c->in, c->bufsize);
        if (n == (size_t)-1 || n > c->bufsize)
            return -1;
        if ((uint64_t)n > c->max_input - c->in_bytes) {
            n = (size_t)(c->max_input - c->in_bytes);
            c->over = 1;
            if (n == 0)
                return -2;
        }
        c->in_bytes += n;
        if (n == 0) {
            c->eof = 1;
            if (c->bom > 0 && c->bom < 3) {
                /* input was a proper prefix of a BOM: those bytes are data */
                c->p = k_bom;
                c->e = k_bom + c->bom;
                c->bom = 3;
                return 1;
            }
            return 0;
        }
        const char *p = c->in, *e = c->in + n;
        if (c->bom < 3) {
            while (p < e && c->bom < 3 && *p == k_bom[c->bom]) {
                p++;
                c->bom++;
            }
            if (p == e)
                continue; /* all BOM (so far): read on */
            if (c->bom < 3) {
                int matched = c->bom;
                c->bom = 3;
                if (matched > 0) {
                    c->held_p = p;
                    c->held_e = e;
                    c->p = k_bom;
                    c->e = k_bom + matched;
                    return 1;
                }
            }
        }
        c->p = p;
        c->e = e;
        return 1;
    }
}

static inline const char *scan(const char *p, const char *e, const unsigned char *cls)
{
    while (e - p >= 4) {
        if (cls[(unsigned char)p[0]])
            return p;
        if (cls[(unsigned char)p[1]])
            return p + 1;
        if (cls[(unsigned char)p[2]])
            return p + 2;
        if (cls[(unsigned char)p[3]])
            return p + 3;
        p += 4;
    }
    while (p < e && !cls[(unsigned char)*p])
        p++;
    return p;
}

/* Records the first error of the current record, at the current cell (force: replace
 * an earlier error). From here on the record is only skipped. */
static void record_error(lf_csv *c, int force, const char *reason)
{
    if (c->skipping && !force)
        return;
    c->skipping = 1;
    lf_errorf(&c->rec_err, LF_EINPUT, "line %ld, column %zu: %s", c->field_line, c->fidx + 1,
              reason);
}

static void oversize_error(lf_csv *c)
{
    char reason[64];
    snprintf(reason, sizeof reason, "field larger than %zu bytes", c->max_field);
    record_error(c, 0, reason);
}

static lf_status fatal(lf_csv *c, lf_status s, lf_error *err)
{
    c->fatal = s;
    if (s == LF_ENOMEM)
        return lf_errorf(err, s, "out of memory reading csv");
    return lf_errorf(err, s, "line %ld: read error", c->line);
}

static void begin_record(lf_csv *c)
{
    c->rec_line = c->field_line = c->line;
    c->skipping = 0;
    c->fidx = 0;
    c->fstart = 0;
    c->raw_trunc = 0;
    c->rec_bytes = 0;
    c->blank = 0;
    lf_buf_reset(&c->data);
    lf_buf_reset(&c->raw);
}

/* Appends n bytes to the current field, or notes the field is too big. */
static lf_status field_add(lf_csv *c, const char *s, size_t n)
{
    if (c->skipping || n == 0)
        return LF_OK;
    if (n > c->max_field - (c->data.len - c->fstart)) {
        oversize_error(c);
        return LF_OK;
    }
    return lf_buf_add(&c->data, s, n);
}

/* Finishes the current field and starts the next one. */
static lf_status field_end(lf_csv *c)
{
    if (!c->skipping && c->fidx >= LF_CSV_MAX_FIELDS) {
        char reason[64];
        snprintf(reason, sizeof reason, "more than %zu fields", (size_t)LF_CSV_MAX_FIELDS);
        record_error(c, 0, reason);
    }
    if (!c->skipping) {
        if (c->fidx == c->fcap) {
            size_t cap = c->fcap ? c->fcap * 2 : 16;
            size_t *offs = realloc(c->offs, cap * sizeof *offs);
            if (!offs)
                return LF_ENOMEM;
            c->offs = offs;
            size_t *lens = realloc(c->lens, cap * sizeof *lens);
            if (!lens)
                return LF_ENOMEM;
            c->lens = lens;
            char **fields = realloc(c->fields, cap * sizeof *fields);
            if (!fields)
                return LF_ENOMEM;
            c->fields = fields;
            c->fcap = cap;
        }
        c->offs[c->fidx] = c->fstart;
        c->lens[c->fidx] = c->data.len - c->fstart;
        if (lf_buf_addc(&c->data, '\0') != LF_OK)
            return LF_ENOMEM;
    }
    c->fidx++;
    c->fstart = c->data.len;
    c->field_line = c->line;
    return LF_OK;
}

/* Appends record bytes to raw, up to raw_max. */
static lf_status raw_add(lf_csv *c, const char *s, size_t n)
{
    c->rec_bytes += n; /* <= max_record + 1: the parser never goes further */
    size_t room = c->raw_max - c->raw.len;
    if (n > room) {
        n = room;
        c->raw_trunc = 1;
    }
    return n ? lf_buf_add(&c->raw, s, n) : LF_OK;
}

/* Fills rec from the finished record; end_line must be set. */
static lf_status emit(lf_csv *c, lf_csv_record *rec, lf_error *err)
{
    rec->line = c->rec_line;
    rec->end_line = c->end_line;
    rec->raw = lf_buf_str(&c->raw);
    rec->raw_len = c->raw.len;
    rec->raw_truncated = c->raw_trunc;
    if (c->skipping) {
        rec->nfields = 0;
        rec->fields = NULL;
        rec->lens = NULL;
        if (err)
            *err = c->rec_err;
        return LF_EINPUT;
    }
    for (size_t i = 0; i < c->fidx; i++)
        c->fields[i] = c->data.data + c->offs[i];
    rec->nfields = c->fidx;
    rec->fields = c->fields;
    rec->lens = c->lens;
    return LF_OK;
}

/* The record ends at the line end *p. */
static lf_status end_at_eol(lf_csv *c, const char *raw_from, const char *p, const char *e,
                            lf_csv_record *rec, lf_error *err)
{
    if (raw_add(c, raw_from, (size_t)(p - raw_from)) != LF_OK)
        return fatal(c, LF_ENOMEM, err);
    c->end_line = c->line++;
    c->skip_lf = *p == '\r';
    c->p = p + 1;
    c->e = e;
    c->st = ST_REC;
    return emit(c, rec, err);
}

/* End of input in state st; raw is complete. */
static lf_status end_at_eof(lf_csv *c, lf_csv_record *rec, lf_error *err)
{
    int st = c->st;
    c->st = ST_REC;
    c->end_line = c->line;
    switch (st) {
    case ST_REC:
        rec->nfields = 0;
        rec->fields = NULL;
        rec->lens = NULL;
        rec->line = rec->end_line = c->line;
        rec->raw = "";
        rec->raw_len = 0;
        rec->raw_truncated = 0;
        return LF_OK;
    case ST_QUO:
        if (c->qnl) /* the input ended with a quoted line end: the record's last line */
            c->end_line--;
        record_error(c, 1, "unterminated quoted field");
        return emit(c, rec, err);
    default: /* FIELD (after a comma), UNQ, QQ */
        if (field_end(c) != LF_OK)
            return fatal(c, LF_ENOMEM, err);
        return emit(c, rec, err);
    }
}

/* Gives up on the input (a limit was passed; see the top of the file): the open
 * record, whose bytes end at p, or else an empty record at line `line` (through
 * end_line), becomes an error with `reason` forced over any earlier one, and every
 * later call returns the end of input. */
static lf_status give_up(lf_csv *c, const char *raw_from, const char *p, long line, long end_line,
                         const char *reason, lf_csv_record *rec, lf_error *err)
{
    if (c->st == ST_REC) {
        begin_record(c);
        c->rec_line = c->field_line = line;
        c->end_line = end_line;
    } else {
        if (raw_add(c, raw_from, (size_t)(p - raw_from)) != LF_OK)
            return fatal(c, LF_ENOMEM, err);
        /* the bytes so far ended with a quoted line end: the record's last line */
        c->end_line = c->st == ST_QUO && c->qnl ? c->line - 1 : c->line;
    }
    char why[160];
    snprintf(why, sizeof why, "%s; rest of input skipped", reason);
    record_error(c, 1, why);
    c->eof = 1;
    c->held_p = c->held_e = NULL;
    c->p = c->e = c->in;
    c->st = ST_REC;
    return emit(c, rec, err);
}

/* Where the parser stops in the chunk [p, e), p being where the chunk or the record
 * began (raw_from): the end, or while a record is open its max_record + 1st byte, so
 * that reaching lim before e means the record is too large. rec_bytes <= max_record
 * here, so the room is at least 1. */
static inline const char *rec_lim(const lf_csv *c, const char *p, const char *e)
{
    if (c->st == ST_REC)
        return e;
    size_t room = c->max_record - c->rec_bytes + 1;
    return (size_t)(e - p) > room ? p + room : e;
}

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        if ((expr) != LF_OK)                                                                       \
            return fatal(c, LF_ENOMEM, err);                                                       \
    } while (0)

/* lf_csv_next's position: the chunk [p, e), where the open record's bytes not yet in
 * raw begin (raw_from, meaningful while st != ST_REC), and where the parser must stop
 * (lim, from rec_lim). The step functions below move it and return CSV_ON to go on,
 * or the status lf_csv_next returns. */
typedef struct csv_cur {
    const char *p, *e, *raw_from, *lim;
} csv_cur;

enum { CSV_ON = -1 };

/* At lim: the record cap, or the end of the chunk and the next one is read. */
static int step_refill(lf_csv *c, csv_cur *k, lf_csv_record *rec, lf_error *err)
{
    char why[80];
    if (c->st != ST_REC && c->rec_bytes + (size_t)(k->p - k->raw_from) > c->max_record) {
        snprintf(why, sizeof why, "record larger than %zu bytes", c->max_record);
        return give_up(c, k->raw_from, k->p, 0, 0, why, rec, err);
    }
    /* here p == e: below the cap, lim is e */
    if (c->st != ST_REC)
        TRY(raw_add(c, k->raw_from, (size_t)(k->p - k->raw_from)));
    int r = fill(c);
    if (r == -1)
        return fatal(c, LF_ESTORE, err);
    if (r == -2) {
        snprintf(why, sizeof why, "input larger than %" PRIu64 " bytes", c->max_input);
        return give_up(c, k->p, k->p, c->line, c->line, why, rec, err);
    }
    if (r == 0) {
        c->p = c->e;
        return end_at_eof(c, rec, err);
    }
    k->p = k->raw_from = c->p;
    k->e = c->e;
    k->lim = rec_lim(c, k->p, k->e);
    return CSV_ON;
}

/* REC: a blank line is skipped (a run too long gives up), anything else starts a
 * record. */
static int step_rec(lf_csv *c, csv_cur *k, lf_csv_record *rec, lf_error *err)
{
    char ch = *k->p;
    if (c->skip_lf) {
        c->skip_lf = 0;
        if (ch == '\n') {
            k->p++;
            return CSV_ON;
        }
    }
    if (ch == '\n' || ch == '\r') { /* blank line */
        if (c->blank++ == 0)
            c->blank_line = c->line;
        c->line++;
        c->skip_lf = ch == '\r';
        k->p++;
        if (c->blank > c->max_record) {
            char why[80];
            snprintf(why, sizeof why, "more than %zu blank lines in a row", c->max_record);
            return give_up(c, k->p, k->p, c->blank_line, c->line - 1, why, rec, err);
        }
        return CSV_ON;
    }
    begin_record(c);
    k->raw_from = k->p;
    c->st = ST_FIELD;
    k->lim = rec_lim(c, k->p, k->e);
    return CSV_ON;
}

static int step_field(lf_csv *c, csv_cur *k, lf_csv_record *rec, lf_error *err)
{
    char ch = *k->p;
    if (ch == '"') {
        k->p++;
        c->qcr = c->qnl = 0;
        c->st = ST_QUO;
    } else if (ch == ',') {
        TRY(field_end(c));
        k->p++;
    } else if (ch == '\n' || ch == '\r') {
        TRY(field_end(c));
        return end_at_eol(c, k->raw_from, k->p, k->e, rec, err);
    } else {
        c->st = ST_UNQ;
    }
    return CSV_ON;
}

static int step_unq(lf_csv *c, csv_cur *k, lf_csv_record *rec, lf_error *err)
{
    const char *s = k->p;
    k->p = scan(k->p, k->lim, k_unq);
    TRY(field_add(c, s, (size_t)(k->p - s)));
    if (k->p == k->lim)
        return CSV_ON;
    char ch = *k->p;
    if (ch == ',') {
        TRY(field_end(c));
        k->p++;
        c->st = ST_FIELD;
    } else if (ch == '"') { /* when skipping already, just data */
        record_error(c, 0, "stray quote in unquoted field");
        k->p++;
    } else {
        TRY(field_end(c));
        return end_at_eol(c, k->raw_from, k->p, k->e, rec, err);
    }
    return CSV_ON;
}

/* QUO: data up to a quote or lim; line ends inside are data, and counted. */
static int step_quo(lf_csv *c, csv_cur *k, lf_error *err)
{
    const char *s = k->p, *lim = k->lim;
    const char *p = s;
    for (;;) {
        const char *t = p;
        p = scan(p, lim, k_quo);
        if (p != t)
            c->qcr = c->qnl = 0;
        if (p == lim || *p == '"')
            break;
        c->qnl = 1;
        if (*p == '\r') {
            c->line++;
            c->qcr = 1;
        } else {
            if (!c->qcr)
                c->line++;
            c->qcr = 0;
        }
        p++;
    }
    k->p = p;
    TRY(field_add(c, s, (size_t)(p - s)));
    if (p < lim) {
        k->p++;
        c->st = ST_QQ;
    }
    return CSV_ON;
}

static int step_qq(lf_csv *c, csv_cur *k, lf_csv_record *rec, lf_error *err)
{
    char ch = *k->p;
    if (ch == '"') {
        TRY(field_add(c, k->p, 1));
        k->p++;
        c->qcr = c->qnl = 0;
        c->st = ST_QUO;
    } else if (ch == ',') {
        TRY(field_end(c));
        k->p++;
        c->st = ST_FIELD;
    } else if (ch == '\n' || ch == '\r') {
        TRY(field_end(c));
        return end_at_eol(c, k->raw_from, k->p, k->e, rec, err);
    } else {
        record_error(c, 0, "text after closing quote");
        c->st = ST_UNQ; /* skipping: the rest of the field is plain data */
    }
    return CSV_ON;
}

lf_status lf_csv_next(lf_csv *c, lf_csv_record *rec, lf_error *err)
{
    if (c->fatal)
        return fatal(c, c->fatal, err); /* sticky: the same status and message again */
    csv_cur k = {.p = c->p, .e = c->e, .raw_from = c->p};
    k.lim = rec_lim(c, k.p, k.e);
    for (;;) {
        int r;
        if (k.p == k.lim && (r = step_refill(c, &k, rec, err)) != CSV_ON)
            return (lf_status)r;
        switch (c->st) {
        case ST_REC:
            r = step_rec(c, &k, rec, err);
            break;
        case ST_FIELD:
            r = step_field(c, &k, rec, err);
            break;
        case ST_UNQ:
            r = step_unq(c, &k, rec, err);
            break;
        case ST_QUO:
            r = step_quo(c, &k, err);
            break;
        default:
            r = step_qq(c, &k, rec, err);
            break;
        }
        if (r != CSV_ON)
            return (lf_status)r;
    }
}
