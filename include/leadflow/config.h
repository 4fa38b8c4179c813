/*
 * config.h — the workspace configuration (leadflow.yaml), SPEC §1.
 *
 * lf_config_load reads the YAML (src/core/config_yaml.c, libyaml) into this plain
 * struct: every key is optional, unknown keys, wrong types and bad values are errors
 * that name the file, line and key ("leadflow.yaml:7: key 'sla.accept_within': bad
 * duration '2x'"). Regular expressions are compiled once here (POSIX extended,
 * case-insensitive). The struct owns everything it points to; lf_config_release
 * frees it.
 *
 * Keys in messages are dotted paths with 0-based list indexes in brackets
 * ("scoring.fit[2].when.title.matches"). A key whose value is empty or null
 * (`sla:`, `timezone: ~`) is treated as absent. Key order in the file does not
 * matter (the calendar is read before durations that use `bd`). Lists and maps nested
 * more than 64 deep are refused before the tree is built ("leadflow.yaml:1: lists and
 * maps nested too deeply (more than 64 levels)"), so hostile YAML fails fast.
 *
 * A configuration can come from elsewhere than YAML (the HTTP server, tests): the
 * model (src/core/config.c) is built through lf_config_begin and lf_config_set with
 * values as a tree of lf_cfg_value, which is all the YAML reader uses too, so every
 * source gets the same checks and the same messages.
 */
#ifndef LEADFLOW_CONFIG_H
#define LEADFLOW_CONFIG_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadflow/calendar.h"
#include "leadflow/error.h"
#include "leadflow/time.h"

/* A duration as written in configuration: 90m, 48h, 2d (calendar) or 16bh, 2bd
 * (business). `usec` is the length on its clock: for bd it is n x the calendar's
 * working-hours length, resolved after the calendar is known. */
typedef enum lf_clock { LF_CLOCK_CALENDAR = 0, LF_CLOCK_BUSINESS = 1 } lf_clock;
typedef struct lf_duration {
    lf_clock clock;
    int64_t usec;
    char text[24]; /* as written, for display ("2bd") */
} lf_duration;

/* Parses "90m", "48h", "2d", "16bh", "2bd" (positive whole or decimal numbers). The
 * bd unit needs the business-day length in usec. Returns LF_ECONFIG on bad input. */
lf_status lf_duration_parse(const char *s, int64_t bday_usec, lf_duration *out, lf_error *err);

/* A condition tree (fit rules, personas, engagement details). Leaves test one
 * attribute. A `when` map is an ALL over its keys; an attribute given several tests
 * ({at_least: 10, at_most: 99}) is an ALL of leaves; `present: false` is stored as
 * ABSENT and `absent: false` as PRESENT. */
typedef enum lf_cond_op {
    LF_COND_EQUALS, LF_COND_IN, LF_COND_BETWEEN, LF_COND_AT_LEAST, LF_COND_AT_MOST,
    LF_COND_MATCHES, LF_COND_PRESENT, LF_COND_ABSENT,
    LF_COND_ALL, LF_COND_ANY, LF_COND_NOT
} lf_cond_op;

typedef struct lf_cond {
    lf_cond_op op;
    char *attr;             /* leaf: attribute name, lower-cased; NULL for all/any/not */
    char **values;          /* equals (1 value), in (n values): text as written */
    size_t nvalues;
    double lo, hi;          /* between [lo, hi]; at_least uses lo; at_most uses hi */
    regex_t re;             /* matches: compiled REG_EXTENDED|REG_ICASE|REG_NOSUB */
    bool has_re;
    struct lf_cond *kids;   /* all/any: n kids; not: 1 kid */
    size_t nkids;
} lf_cond;

typedef struct lf_source_rule {
    regex_t re;             /* "match", case-insensitive */
    char *pattern;
    char *channel;          /* required */
    char *origin;           /* "marketing", "sales" or NULL (not set by this rule) */
} lf_source_rule;

typedef struct lf_persona_rule {
    char *name;
    lf_cond when;           /* an LF_COND_ALL over the keys of `when` */
} lf_persona_rule;

typedef struct lf_fit_rule {
    lf_cond when;
    double points;          /* may be negative */
    int line;               /* line in the config file, for explanations */
} lf_fit_rule;

typedef struct lf_engagement_rule {
    char *type;             /* event type, lower-cased */
    lf_cond detail;         /* condition on the event's detail text (leaves have attr
                               NULL); op ALL with 0 kids = none */
    bool has_detail;
    double points;
    double max_per_day;     /* < 0 = no cap */
    double max_total;       /* < 0 = no cap */
    int line;
} lf_engagement_rule;

typedef struct lf_grade {
    char letter;            /* 'A', 'B', ... in descending cut-off order */
    double cutoff;
} lf_grade;

typedef struct lf_mql_rule {
    bool has_fit, has_engagement, has_total, has_grade;
    double fit_at_least, engagement_at_least, total_at_least;
    char grade_at_least;    /* letter of a configured grade (upper case); it holds for
                               that grade and the ones before it in `grades` */
    char **require;         /* required attributes besides email (lower-cased) */
    size_t nrequire;
} lf_mql_rule;

typedef struct lf_scoring {
    bool enabled;           /* a `scoring` section was present */
    lf_fit_rule *fit;
    size_t nfit;
    lf_engagement_rule *engagement;
    size_t nengagement;
    int64_t half_life_usec; /* 0 = no decay */
    lf_grade grades[8];     /* default A 60, B 40, C 20 (below C is D); sorted by
                               cut-off descending, letters ascending */
    size_t ngrades;
    char grade_below;       /* letter for fit scores below the lowest cut-off: the
                               letter after the last grade ('D' by default) */
    lf_mql_rule mql;
    double band_width;      /* default 10 */
} lf_scoring;

typedef struct lf_month_goal {
    int year, month;
    double mqls;
} lf_month_goal;

/* One entry of presets.salesforce.statuses (docs/presets.md): a Salesforce lead
 * status and the event it makes. */
typedef struct lf_preset_status {
    char *status;           /* as written (the preset compares it case-insensitively) */
    char *type;             /* lifecycle event type, lower case; NULL = none */
} lf_preset_status;

/* The `server:` section (SPEC §8, `leadflow serve`); read by the server only. */
typedef struct lf_server_config {
    int64_t max_body;       /* max_body: bytes of one request body; default 16 MiB;
                               written as bytes or with KiB, MiB, GiB (KB, MB, GB) */
    char **cors_origins;    /* cors_origins: origins allowed cross-origin (exact
                               "scheme://host[:port]"); none = CORS closed */
    size_t ncors_origins;
    char *listen;           /* listen: "ADDR:PORT" or "[V6]:PORT"; NULL = the default */
    int threads;            /* threads: 1..256 workers; 0 = the default */
    int timeout;            /* timeout: seconds of silence before a connection is
                               closed, 1..3600; 0 = the default */
} lf_server_config;

/* Alert types a webhook may subscribe to (bits of lf_webhook.events). */
enum {
    LF_ALERT_HANDOFF_OPENED = 1 << 0,  /* "handoff.opened" */
    LF_ALERT_HANDOFF_OVERDUE = 1 << 1, /* "handoff.overdue" */
    LF_ALERT_HANDOFF_DECIDED = 1 << 2, /* "handoff.decided" */
    LF_ALERT_PACING_BEHIND = 1 << 3,   /* "pacing.behind" */
    LF_ALERT_COUNT = 4
};
/* The name of one alert bit ("handoff.opened"); NULL for anything else. */
const char *lf_alert_name(unsigned bit);
/* The bit of an alert name (exact, lower case); 0 when unknown. */
unsigned lf_alert_parse(const char *name);

/* One entry of `webhooks:` (docs/alerts.md). */
typedef struct lf_webhook {
    char *url;              /* url: http:// or https://, required */
    char *secret_env;       /* secret_env: the environment variable holding the signing
                               secret (the secret itself is never in the file), required */
    unsigned events;        /* events: LF_ALERT_* bits, required and not empty */
    int64_t max_age_usec;   /* max_age: a change older than this when stored or falling
                               due fires nothing (calendar duration; default 24h) */
    int line;               /* the entry's line in leadflow.yaml */
} lf_webhook;

/* Whether s is a plain address local@domain (no spaces, brackets, quotes, commas or
 * control bytes: it goes into a From/To header and the SMTP envelope as is). */
bool lf_mail_address_ok(const char *s);

/* The `mail:` section (`leadflow digest`). */
typedef struct lf_mail_config {
    char *smtp_url;         /* smtp_url: smtp://HOST[:PORT] or smtps://...; NULL = none */
    char *from;             /* from: the sender address; NULL = none */
} lf_mail_config;

typedef struct lf_config {
    char *path;             /* file it came from (the source named in messages), or
                               NULL for defaults */
    char *timezone;         /* IANA name; default "UTC" */
    lf_tz *tz;              /* loaded zone (owned); never NULL once loaded or
                               defaulted (UTC needs no zone file) */
    lf_calendar calendar;   /* tz borrowed from above */
    bool has_sla;
    lf_duration sla;        /* default 2bd when absent? no: has_sla = false */
    lf_duration speed_target; /* default 1h calendar */
    lf_source_rule *sources;
    size_t nsources;
    lf_persona_rule *personas;
    size_t npersonas;
    lf_scoring scoring;
    bool has_goal;
    double goal_default;    /* mqls_per_month as a single number (or the map's
                               `default` key); < 0 = none */
    lf_month_goal *goals;   /* mqls_per_month as a map */
    size_t ngoals;
    bool lag_auto;          /* cost.lag_days: auto (the default, SPEC §1) */
    int lag_days;           /* when not auto (a whole number of days) */
    lf_preset_status *sf_statuses; /* presets.salesforce.statuses, in file order; they
                               add to / override the preset's built-in defaults */
    size_t nsf_statuses;
    lf_server_config server; /* server: (defaults: 16 MiB, no CORS, listen, threads) */
    lf_webhook *webhooks;   /* webhooks: in file order */
    size_t nwebhooks;
    unsigned webhook_events; /* the union of every webhook's events */
    lf_mail_config mail;    /* mail: */
    long built_items;       /* lf_config_set's budget, shared by its calls: items */
    long built_re_parts;    /* created and regex parts compiled (bounds alias bombs) */
} lf_config;

/* Fills cfg with the defaults (UTC, Mon-Fri 09:00-17:00, speed target 1h, no SLA,
 * no scoring, no goals, cost.lag_days auto). */
lf_status lf_config_defaults(lf_config *cfg, lf_error *err);
/* Loads `path`. A missing file is LF_ECONFIG ("cannot read 'x': ..."). Errors name
 * file, line and the dotted key. On error cfg is left released. */
lf_status lf_config_load(lf_config *cfg, const char *path, lf_error *err);
/* Same, from a memory buffer; `name` is used in messages. */
lf_status lf_config_load_buffer(lf_config *cfg, const char *name, const char *text,
                                size_t len, lf_error *err);
void lf_config_release(lf_config *cfg);

/* ---- building a configuration from any source ----------------------------------- */

/* A value as a source hands it to the model: a tree of scalars (text; the model parses
 * numbers, booleans, durations), lists and maps, each with the line it came from. A
 * value may be shared by several parents (YAML aliases): each use is read again,
 * against a budget. The tree belongs to the caller and is only read. */
typedef enum lf_cfg_kind {
    LF_CFG_NULL,   /* no value (YAML ~, null or nothing): an absent key */
    LF_CFG_SCALAR,
    LF_CFG_LIST,
    LF_CFG_MAP
} lf_cfg_kind;

typedef struct lf_cfg_value lf_cfg_value;

typedef struct lf_cfg_pair {
    const lf_cfg_value *key;   /* SCALAR, or NULL with its text ("~"), else refused */
    const lf_cfg_value *value;
} lf_cfg_pair;

struct lf_cfg_value {
    lf_cfg_kind kind;
    int line;                          /* 1-based line in the source; 0 = none (then
                                          messages name the source without a line) */
    const char *text;                  /* SCALAR, NULL: NUL-terminated, as written */
    size_t len;                        /* its length (a NUL byte inside is refused) */
    const lf_cfg_value *const *items;  /* LIST: nitems values */
    size_t nitems;
    const lf_cfg_pair *pairs;          /* MAP: npairs pairs in source order */
    size_t npairs;
};

/* Starts a configuration: the defaults, with `source` (copied; may be NULL) as
 * cfg->path, the name messages give ("leadflow.yaml"). On error cfg is left released. */
lf_status lf_config_begin(lf_config *cfg, const char *source, lf_error *err);
/* Sets the value at a dotted key path ("sla.accept_within", "scoring.fit", "calendar";
 * "" or NULL = the whole configuration, a map) as the same value in a file would: keys,
 * types and values checked, a map of settings read in the model's order (whatever the
 * order of its pairs) and setting only the keys it holds, a list or a map of data
 * (conditions, grades, goals) replacing the old one, a null or NULL v absent. A value
 * that depends on another (a bd duration on the calendar, mql.grade_at_least on the
 * grades) uses what is set so far. Errors: LF_ECONFIG "SOURCE:LINE: key 'PATH': reason"
 * or "SOURCE:LINE: unknown key 'PATH'", LF_ENOMEM; cfg is then partly set: release it. */
lf_status lf_config_set(lf_config *cfg, const char *key, const lf_cfg_value *v, lf_error *err);
/* lf_config_set of one scalar without a line (text NULL = a null value). */
lf_status lf_config_set_text(lf_config *cfg, const char *key, const char *text, lf_error *err);

/* ---- a YAML file as a value tree (for other YAML inputs: import maps) ------------- */

/* A YAML document read into lf_cfg_value nodes with their lines, by the reader the
 * configuration uses (same syntax, nesting and size limits, same messages). */
typedef struct lf_yaml_tree {
    const lf_cfg_value *root;   /* the document's root; NULL for an empty document */
    void *priv;                 /* the parsed document the values point into */
} lf_yaml_tree;
/* Reads `path` (at most 4 MiB) into *tree. LF_ECONFIG "cannot read 'P': ..." or
 * "P:LINE: yaml syntax error: ...", LF_ENOMEM. On error *tree is empty; free it with
 * lf_yaml_tree_free in every case. */
lf_status lf_yaml_load_tree(const char *path, lf_yaml_tree *tree, lf_error *err);
/* Same, from a memory buffer; `name` is used in messages. */
lf_status lf_yaml_load_tree_buffer(const char *name, const char *text, size_t len,
                                   lf_yaml_tree *tree, lf_error *err);
/* Frees what lf_yaml_load_tree made (a zeroed tree too); the values go with it. */
void lf_yaml_tree_free(lf_yaml_tree *tree);

/* The goal for a month (map entry, else the default); returns false if none. */
bool lf_config_goal(const lf_config *cfg, int year, int month, double *goal);

/* The commented example written by `leadflow init` (SPEC §1's schema): a static
 * NUL-terminated string (assets/leadflow.example.yaml, embedded at build time). */
const char *lf_config_example(void);

/* The SLA deadline of a handoff opened at mql_at: the first instant the SLA time is
 * used up on its clock (business clock: lf_bclock_add; else calendar time);
 * LF_TIME_NONE without an SLA, for LF_TIME_NONE, or when it can never be used up (a
 * calendar without business time, past the end of time). The one definition every report, the queue,
 * a lead's explanation and the alerts use. */
lf_time lf_sla_deadline(const lf_config *cfg, lf_time mql_at);

#endif
