/*
 * test_mapping.c — unit tests of import maps (src/ingest/mapping.c): loading and its
 * messages (file:line: key), and the record source over a CSV in memory, written as a
 * transcript (one line per record handed to the importer) so expectations are text:
 *   H f1|f2|...        the leadflow header
 *   R L f1|f2|...      a record of file line L
 *   E L message        a bad record of file line L (LF_EINPUT)
 *   END                the end of input
 * Expected values are derived by hand in the comments.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadflow/buf.h"
#include "leadflow/config.h"
#include "leadflow/csv.h"
#include "leadflow/mapping.h"

typedef struct mem {
    const char *data;
    size_t len, pos;
} mem;

static size_t mem_read(void *ctx, char *buf, size_t n)
{
    mem *m = ctx;
    size_t k = m->len - m->pos < n ? m->len - m->pos : n;
    memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return k;
}

static lf_map *load(const char *yaml)
{
    lf_map *m = NULL;
    lf_error err = {0};
    lf_status st = lf_map_load_buffer(&m, "map.yaml", yaml, strlen(yaml), &err);
    cr_assert_eq(st, LF_OK, "map failed: %s", err.msg);
    return m;
}

static void add_fields(lf_buf *b, const lf_csv_record *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        cr_assert_eq(lf_buf_addf(b, "%s%s", i ? "|" : "", r->fields[i]), LF_OK);
}

/* The transcript of csv read through map m (zone tz for its formats); *skipped set. */
static char *transcript(const lf_map *m, const char *csv, const lf_tz *tz, int64_t *skipped)
{
    mem src = {csv, strlen(csv), 0};
    lf_csv *c = lf_csv_new(mem_read, &src, 7, 0); /* a tiny buffer: records cut anywhere */
    lf_map_source *s;
    lf_error err = {0};
    cr_assert_eq(lf_map_source_new(&s, m, c, "f.csv", tz, &err), LF_OK, "%s", err.msg);
    const lf_record_source *rs = lf_map_source_records(s);
    lf_buf b;
    lf_buf_init(&b, 0);
    for (int n = 0; n < 100; n++) {
        lf_csv_record r;
        lf_status st = rs->next(rs->ctx, &r, &err);
        if (st == LF_EINPUT) {
            cr_assert_eq(lf_buf_addf(&b, "E %ld %s\n", r.line, err.msg), LF_OK);
            continue;
        }
        cr_assert_eq(st, LF_OK);
        if (r.nfields == 0)
            break;
        cr_assert_eq(n ? lf_buf_addf(&b, "R %ld ", r.line) : lf_buf_adds(&b, "H "), LF_OK);
        add_fields(&b, &r);
        cr_assert_eq(lf_buf_addc(&b, '\n'), LF_OK);
    }
    cr_assert_eq(lf_buf_adds(&b, "END\n"), LF_OK);
    if (skipped)
        *skipped = lf_map_source_skipped(s);
    lf_map_source_free(s);
    lf_csv_free(c);
    return lf_buf_detach(&b);
}

static void expect(const lf_map *m, const char *csv, const lf_tz *tz, const char *want)
{
    char *got = transcript(m, csv, tz, NULL);
    cr_expect_str_eq(got, want);
    free(got);
}

/* Header: mapped and constant columns in the kind's order (id, email, created_at,
 * source, origin, persona), then the other file columns. `Mail` feeds email, so the
 * file's own `email` column is dropped (a lead column filled elsewhere); `persona` is
 * taken under its own name; `ID` (used by columns) is no attribute. */
Test(mapping, leads_header_and_attributes)
{
    lf_map *m = load("kind: leads\n"
                     "columns: {id: ID, email: mail, created_at: Created}\n"
                     "constant: {origin: sales}\n");
    expect(m,
           " ID ,Mail,Created,email,Persona,Industry\n"
           "L1,a@x.example,2026-01-05,old@x.example,Dev,software\n",
           lf_tz_utc(),
           "H id|email|created_at|origin|persona|industry\n"
           "R 2 L1|a@x.example|2026-01-05|sales|Dev|software\n"
           "END\n");
    lf_map_free(m);
}

/* Day-first local times in Sao Paulo (UTC-3): 05/03/2026 22:30 -> 2026-03-06T01:30Z;
 * 1/3/2026 9:05 (one digit each) -> 12:05Z; 30/02/2026 (glibc accepts it) and a value
 * with trailing text go on unchanged, for the importer to reject. */
Test(mapping, formats_in_the_map_zone)
{
    lf_map *m = load("kind: leads\n"
                     "columns: {id: id, created_at: when}\n"
                     "formats: {created_at: \"%d/%m/%Y %H:%M\"}\n"
                     "timezone: America/Sao_Paulo\n");
    expect(m,
           "id,when\n"
           "A,05/03/2026 22:30\n"
           "B,1/3/2026 9:05\n"
           "C,30/02/2026 10:00\n"
           "D,05/03/2026 22:30 x\n"
           "E,\n",
           lf_tz_utc(),
           "H id|created_at\n"
           "R 2 A|2026-03-06T01:30:00Z\n"
           "R 3 B|2026-03-01T12:05:00Z\n"
           "R 4 C|30/02/2026 10:00\n"
           "R 5 D|05/03/2026 22:30 x\n"
           "R 6 E|\n"
           "END\n");
    lf_map_free(m);
}

/* Without a map zone the caller's zone is used (Tokyo, UTC+9: 10:00 -> 01:00Z); %z
 * reads an offset, which wins over any zone (10:00-03:00 -> 13:00Z). */
Test(mapping, caller_zone_and_offsets)
{
    lf_tz *tokyo;
    lf_error err;
    cr_assert_eq(lf_tz_load(&tokyo, "Asia/Tokyo", &err), LF_OK);
    lf_map *m = load("kind: events\n"
                     "columns: {lead_id: who, ts: at, type: what}\n"
                     "formats: {ts: \"%Y%m%d %H%M\"}\n");
    expect(m, "who,at,what\nL1,20260105 1000,visit\n", tokyo,
           "H lead_id|ts|type\nR 2 L1|2026-01-05T01:00:00Z|visit\nEND\n");
    lf_map_free(m);
    m = load("kind: events\n"
             "columns: {lead_id: who, ts: at, type: what}\n"
             "formats: {ts: \"%Y-%m-%dT%H:%M%z\"}\n");
    expect(m, "who,at,what\nL1,2026-01-05T10:00-03:00,visit\n", tokyo,
           "H lead_id|ts|type\nR 2 L1|2026-01-05T13:00:00Z|visit\nEND\n");
    lf_map_free(m);
    lf_tz_free(tokyo);
}

/* Values: exact match, "" matched, a null value is empty; unlisted values unchanged;
 * the table applies before the format. */
Test(mapping, values_then_constants)
{
    lf_map *m = load("kind: leads\n"
                     "columns: {id: id, created_at: c, source: s}\n"
                     "values: {source: {\"\": direct, cpc: paid, \"n/a\": ~}}\n"
                     "constant: {persona: Founder}\n");
    expect(m, "id,c,s\nA,2026-01-05,\nB,2026-01-05,cpc\nC,2026-01-05,CPC\nD,2026-01-05,n/a\n",
           lf_tz_utc(),
           "H id|created_at|source|persona\n"
           "R 2 A|2026-01-05|direct|Founder\n"
           "R 3 B|2026-01-05|paid|Founder\n"
           "R 4 C|2026-01-05|CPC|Founder\n"
           "R 5 D|2026-01-05||Founder\n"
           "END\n");
    lf_map_free(m);
}

/* Events: a row without ts is no event (skipped, counted); a row with a wrong field
 * count is a bad record at its line; other kinds' columns are not passed on. */
Test(mapping, events_skip_rows_without_ts)
{
    lf_map *m = load("kind: events\n"
                     "columns: {lead_id: id, ts: mql_date}\n"
                     "constant: {type: mql}\n");
    int64_t skipped = -1;
    char *got = transcript(m,
                           "id,email,mql_date\n"
                           "L1,a@x.example,2026-01-05\n"
                           "L2,b@x.example,\n"
                           "L3,c@x.example\n"
                           "L4,d@x.example,2026-01-07\n",
                           lf_tz_utc(), &skipped);
    cr_expect_str_eq(got, "H lead_id|ts|type\n"
                          "R 2 L1|2026-01-05|mql\n"
                          "E 4 expected 3 fields, found 2\n"
                          "R 5 L4|2026-01-07|mql\n"
                          "END\n");
    cr_expect_eq(skipped, 1);
    free(got);
    lf_map_free(m);
}

/* Costs dates are civil dates: 05/03/2026 -> 2026-03-05; a format without a day gives
 * the month (03/2026 -> 2026-03). */
Test(mapping, cost_dates)
{
    lf_map *m = load("kind: costs\ncolumns: {date: Day, amount: Spend}\n"
                     "formats: {date: \"%d/%m/%Y\"}\n");
    expect(m, "Day,Spend\n05/03/2026,10\n", lf_tz_utc(),
           "H date|amount\nR 2 2026-03-05|10\nEND\n");
    lf_map_free(m);
    m = load("kind: traffic\ncolumns: {date: Month, visitors: V}\nformats: {date: \"%m/%Y\"}\n");
    expect(m, "Month,V\n03/2026,100\n", lf_tz_utc(), "H date|visitors\nR 2 2026-03|100\nEND\n");
    lf_map_free(m);
}

static void load_fails(const char *yaml, const char *want)
{
    lf_map *m = (lf_map *)1;
    lf_error err = {0};
    cr_expect_eq(lf_map_load_buffer(&m, "map.yaml", yaml, strlen(yaml), &err), LF_ECONFIG,
                 "accepted: %s", yaml);
    cr_expect_null(m);
    cr_expect_str_eq(err.msg, want);
}

Test(mapping, load_errors_name_line_and_key)
{
    load_fails("kind: leads\ncolumns:\n  id: a\n  created: b\n",
               "map.yaml:4: key 'columns.created': unknown column for kind 'leads'");
    load_fails("kind: leads\nsource: x\n", "map.yaml:2: unknown key 'source'");
    load_fails("columns: {id: a}\n",
               "map.yaml:1: key 'kind': missing (leads, events, costs or traffic)");
    load_fails("kind: contacts\n",
               "map.yaml:1: key 'kind': unknown kind 'contacts' (leads, events, costs or traffic)");
    load_fails("kind: leads\ncolumns: [id]\n",
               "map.yaml:2: key 'columns': expected a map of leadflow columns");
    load_fails("kind: leads\ncolumns: {id: [a, b]}\n",
               "map.yaml:2: key 'columns.id': expected the file's column name");
    load_fails("kind: leads\ntimezone: Mars/Olympus\n",
               "map.yaml:2: key 'timezone': unknown time zone 'Mars/Olympus'");
    load_fails("kind: leads\nformats: {created_at: \"%d/%m/%Y %Q\"}\n",
               "map.yaml:2: key 'formats.created_at': bad format '%d/%m/%Y %Q': unknown "
               "conversion '%Q'");
    load_fails("kind: leads\nformats: {created_at: \"%m/%Y\"}\n",
               "map.yaml:2: key 'formats.created_at': bad format '%m/%Y': it reads no day");
    load_fails("kind: leads\nformats: {email: \"%Y\"}\n",
               "map.yaml:2: key 'formats.email': not a time column of kind 'leads'");
    load_fails("kind: leads\ncolumns: {origin: o}\nconstant: {origin: sales}\n",
               "map.yaml:3: key 'constant.origin': the column is also read from the file "
               "('columns.origin')");
    load_fails("kind: leads\nvalues: {source: {a: b, a: c}}\n",
               "map.yaml:2: key 'values.source': value 'a' given twice");
    load_fails("- kind\n", "map.yaml:1: expected a map with the keys kind, columns, constant, "
                           "values, formats, timezone");
    load_fails("kind: [leads\n", "map.yaml:2: yaml syntax error: did not find expected ',' or "
                                 "']' (while parsing a flow sequence started on line 1)");
}

static void header_fails(const char *yaml, const char *csv, lf_status want_st, const char *want)
{
    lf_map *m = load(yaml);
    mem src = {csv, strlen(csv), 0};
    lf_csv *c = lf_csv_new(mem_read, &src, 0, 0);
    lf_map_source *s = (lf_map_source *)1;
    lf_error err = {0};
    cr_expect_eq(lf_map_source_new(&s, m, c, "f.csv", lf_tz_utc(), &err), want_st);
    cr_expect_null(s);
    cr_expect_str_eq(err.msg, want);
    lf_csv_free(c);
    lf_map_free(m);
}

Test(mapping, header_errors)
{
    header_fails("kind: leads\ncolumns:\n  id: Contact ID\n  created_at: Create Date\n",
                 "contact id,created\n", LF_ECONFIG,
                 "map.yaml:4: key 'columns.created_at': no column 'Create Date' in 'f.csv'");
    header_fails("kind: leads\ncolumns: {id: key}\n", "key,email\n", LF_ECONFIG,
                 "map.yaml:2: key 'columns': no column for 'created_at', which kind 'leads' "
                 "requires ('f.csv' has no column 'created_at')");
    header_fails("kind: leads\ncolumns: {id: key, created_at: c}\n"
                 "formats: {created_at: \"%Y-%m-%d\"}\n",
                 "key,c,Key\n", LF_EINPUT, "f.csv:1: duplicate column 'key' (columns 1 and 3)");
    header_fails("kind: leads\ncolumns: {id: key, created_at: c}\n", "", LF_EINPUT,
                 "f.csv: empty file (no header row)");
}

/* The tree reader gives lines: the value of `b` is on line 3. */
Test(mapping, yaml_tree_lines)
{
    lf_yaml_tree t;
    lf_error err;
    const char *y = "a: 1\n\nb: [x, y]\n";
    cr_assert_eq(lf_yaml_load_tree_buffer("t.yaml", y, strlen(y), &t, &err), LF_OK);
    cr_assert_eq(t.root->kind, LF_CFG_MAP);
    cr_assert_eq(t.root->npairs, 2);
    cr_expect_eq(t.root->pairs[1].value->line, 3);
    cr_expect_eq(t.root->pairs[1].value->nitems, 2);
    cr_expect_str_eq(t.root->pairs[1].value->items[1]->text, "y");
    lf_yaml_tree_free(&t);
    cr_expect_eq(lf_yaml_load_tree("/nonexistent/m.yaml", &t, &err), LF_ECONFIG);
    cr_expect_null(t.root);
    lf_yaml_tree_free(&t);
}
