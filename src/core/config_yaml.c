/*
 * config_yaml.c — the YAML reader of the configuration: leadflow.yaml (or a buffer)
 * through libyaml into the model of config.c (SPEC §1).
 *
 * Place in the flow: the only file that sees YAML. It reads the file (at most
 * CFG_MAX_FILE bytes), refuses syntax errors, a second document and deep nesting with
 * "FILE:LINE: ..." messages, turns the document into a tree of lf_cfg_value and hands
 * it to lf_config_set; the model (config.c) checks keys and values and writes every
 * other message. lf_yaml_load_tree hands the same tree to other YAML inputs (import
 * maps, src/ingest/mapping.c), which check their own keys. It uses only the public API of leadflow/config.h, as any other source
 * of a configuration would.
 *
 * YAML's part of the meaning stays here: a plain (unquoted) scalar "", "~", "null",
 * "Null" or "NULL" is a null value (absent), a quoted one is text; a node's line is
 * its start mark's, 1-based.
 *
 * Deep nesting is refused before the tree is built: libyaml's scanner spends time
 * proportional to the open flow levels on every token (200 KB of `[` took 36 s) and
 * its loader recurses per level. So a first pass reads events only and stops at
 * CFG_MAX_NEST open lists and maps, having scanned at most a few KB past that point.
 *
 * Aliases make the document a DAG, and the value tree keeps it one: one lf_cfg_value
 * per document node (in the same order), lists and maps pointing at the shared ones,
 * so the tree costs what the document costs; the model bounds the expansion.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "leadflow/config.h"

#define CFG_MAX_FILE (4u << 20) /* a configuration larger than this is refused */
#define CFG_MAX_NEST 64         /* nesting of yaml lists and maps, checked first */

/* ---- syntax and nesting ---------------------------------------------------------- */

/* The 1-based line of byte offset `off` in text. */
static int line_at(const char *text, size_t len, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && i < len; i++)
        line += text[i] == '\n';
    return line;
}

static lf_status yaml_failure(const yaml_parser_t *p, const char *name, const char *text,
                              size_t len, lf_error *err)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    case YAML_READER_ERROR:
        return lf_errorf(err, LF_ECONFIG, "%s:%d: yaml syntax error: %s", name,
                         line_at(text, len, p->problem_offset), problem);
    default:
        if (p->context)
            return lf_errorf(
                err, LF_ECONFIG, "%s:%d: yaml syntax error: %s (%s started on line %d)", name,
                (int)p->problem_mark.line + 1, problem, p->context, (int)p->context_mark.line + 1);
        return lf_errorf(err, LF_ECONFIG, "%s:%d: yaml syntax error: %s", name,
                         (int)p->problem_mark.line + 1, problem);
    }
}

/* The first pass: reads the events of the whole stream and fails on more than
 * CFG_MAX_NEST open lists and maps, at the line of the one too many, or on a syntax
 * error (the same message the loader would give). Each event consumes input, so the
 * loop ends. */
static lf_status check_nesting(const char *name, const char *text, size_t len, lf_error *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    lf_status st = LF_OK;
    int depth = 0;
    if (!yaml_parser_initialize(&p))
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            st = yaml_failure(&p, name, text, len, err);
            break;
        }
        yaml_event_type_t type = ev.type;
        int line = (int)ev.start_mark.line + 1;
        yaml_event_delete(&ev);
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > CFG_MAX_NEST) {
                st = lf_errorf(err, LF_ECONFIG,
                               "%s:%d: lists and maps nested too deeply (more than %d levels)",
                               name, line, CFG_MAX_NEST);
                break;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (type == YAML_STREAM_END_EVENT) {
            break;
        }
    }
    yaml_parser_delete(&p);
    return st;
}

/* Parses text into *doc, refusing a second document. */
static lf_status load_document(yaml_document_t *doc, const char *name, const char *text, size_t len,
                               lf_error *err)
{
    yaml_parser_t p;
    yaml_document_t rest;
    lf_status st = check_nesting(name, text, len, err);
    if (st)
        return st;
    if (!yaml_parser_initialize(&p))
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, doc)) {
        st = yaml_failure(&p, name, text, len, err);
        yaml_parser_delete(&p);
        return st;
    }
    if (!yaml_parser_load(&p, &rest)) {
        st = yaml_failure(&p, name, text, len, err);
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&rest);
        if (root)
            st = lf_errorf(err, LF_ECONFIG, "%s:%d: more than one yaml document", name,
                           (int)root->start_mark.line + 1);
        yaml_document_delete(&rest);
    }
    if (st)
        yaml_document_delete(doc);
    yaml_parser_delete(&p);
    return st;
}

/* ---- the document as a value tree -------------------------------------------------- */

/* The values of a document, one per node, and the pools their lists and maps use. */
typedef struct tree {
    lf_cfg_value *values;
    size_t nvalues;
    const lf_cfg_value **items;
    lf_cfg_pair *pairs;
} tree;

static bool plain_null(const yaml_node_t *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strcmp((const char *)n->data.scalar.value, nulls[i]) == 0)
            return true;
    return false;
}

/* The value of node `id` (1-based, as libyaml numbers them). */
static const lf_cfg_value *value_of(const tree *t, yaml_node_item_t id)
{
    static const lf_cfg_value none = {.kind = LF_CFG_NULL, .line = 1, .text = ""};
    return id >= 1 && (size_t)id <= t->nvalues ? &t->values[id - 1] : &none;
}

/* Fills the value of node n, taking its items or pairs from the pools at *ni, *np. */
static void value_fill(const tree *t, const yaml_node_t *n, lf_cfg_value *v, size_t *ni, size_t *np)
{
    v->line = (int)n->start_mark.line + 1;
    v->text = "";
    switch (n->type) {
    case YAML_SCALAR_NODE:
        v->kind = plain_null(n) ? LF_CFG_NULL : LF_CFG_SCALAR;
        v->text = (const char *)n->data.scalar.value;
        v->len = n->data.scalar.length;
        break;
    case YAML_SEQUENCE_NODE:
        v->kind = LF_CFG_LIST;
        v->items = t->items + *ni;
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++)
            t->items[(*ni)++] = value_of(t, *i);
        v->nitems = (size_t)(t->items + *ni - v->items);
        break;
    case YAML_MAPPING_NODE:
        v->kind = LF_CFG_MAP;
        v->pairs = t->pairs + *np;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            t->pairs[*np].key = value_of(t, p->key);
            t->pairs[(*np)++].value = value_of(t, p->value);
        }
        v->npairs = (size_t)(t->pairs + *np - v->pairs);
        break;
    default:
        v->kind = LF_CFG_NULL;
        break;
    }
}

/* Builds the tree of doc (which it points into: doc must outlive it). */
static lf_status tree_build(tree *t, yaml_document_t *doc, lf_error *err)
{
    size_t nitems = 0, npairs = 0, ni = 0, np = 0;
    memset(t, 0, sizeof *t);
    t->nvalues = (size_t)(doc->nodes.top - doc->nodes.start);
    for (const yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        if (n->type == YAML_SEQUENCE_NODE)
            nitems += (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        else if (n->type == YAML_MAPPING_NODE)
            npairs += (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    }
    t->values = calloc(t->nvalues ? t->nvalues : 1, sizeof *t->values);
    t->items = calloc(nitems ? nitems : 1, sizeof *t->items);
    t->pairs = calloc(npairs ? npairs : 1, sizeof *t->pairs);
    if (!t->values || !t->items || !t->pairs)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nvalues; i++)
        value_fill(t, &doc->nodes.start[i], &t->values[i], &ni, &np);
    return LF_OK;
}

static void tree_release(tree *t)
{
    free(t->values);
    free(t->items);
    free(t->pairs);
}

/* ---- entry points ------------------------------------------------------------------ */

lf_status lf_config_load_buffer(lf_config *cfg, const char *name, const char *text, size_t len,
                                lf_error *err)
{
    yaml_document_t doc;
    tree t;
    lf_status st = lf_config_begin(cfg, name, err);
    if (st)
        return st;
    if ((st = load_document(&doc, name, text, len, err))) {
        lf_config_release(cfg);
        return st;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    st = tree_build(&t, &doc, err);
    if (st == LF_OK && root)
        st = lf_config_set(cfg, "", &t.values[root - doc.nodes.start], err);
    tree_release(&t);
    yaml_document_delete(&doc);
    if (st)
        lf_config_release(cfg);
    return st;
}

/* Reads the whole of `path` (at most CFG_MAX_FILE bytes) into a new buffer. */
static lf_status read_text(const char *path, char **out, size_t *out_len, lf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return lf_errorf(err, LF_ECONFIG, "cannot read '%s': %s", path, strerror(errno));
    size_t cap = 8192, len = 0;
    char *text = malloc(cap);
    while (text) {
        if (len > CFG_MAX_FILE) {
            free(text);
            fclose(f);
            return lf_errorf(err, LF_ECONFIG, "cannot read '%s': larger than %u bytes", path,
                             CFG_MAX_FILE);
        }
        if (len == cap) {
            char *bigger = realloc(text, cap * 2);
            if (!bigger) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (!text) {
        fclose(f);
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    }
    if (ferror(f)) {
        int e = errno;
        free(text);
        fclose(f);
        return lf_errorf(err, LF_ECONFIG, "cannot read '%s': %s", path, strerror(e));
    }
    fclose(f);
    *out = text;
    *out_len = len;
    return LF_OK;
}

lf_status lf_config_load(lf_config *cfg, const char *path, lf_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    char *text;
    size_t len;
    lf_status st = read_text(path, &text, &len, err);
    if (st)
        return st;
    st = lf_config_load_buffer(cfg, path, text, len, err);
    free(text);
    return st;
}

/* ---- a YAML file as a value tree ----------------------------------------------------- */

/* What an lf_yaml_tree's priv holds: the document and the tree pointing into it. */
typedef struct yaml_tree_priv {
    yaml_document_t doc;
    tree t;
} yaml_tree_priv;

lf_status lf_yaml_load_tree_buffer(const char *name, const char *text, size_t len,
                                   lf_yaml_tree *out, lf_error *err)
{
    memset(out, 0, sizeof *out);
    yaml_tree_priv *p = calloc(1, sizeof *p);
    if (!p)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    lf_status st = load_document(&p->doc, name, text, len, err);
    if (st) {
        free(p);
        return st;
    }
    st = tree_build(&p->t, &p->doc, err);
    yaml_node_t *root = yaml_document_get_root_node(&p->doc);
    out->priv = p;
    if (st == LF_OK && root)
        out->root = &p->t.values[root - p->doc.nodes.start];
    if (st)
        lf_yaml_tree_free(out);
    return st;
}

lf_status lf_yaml_load_tree(const char *path, lf_yaml_tree *out, lf_error *err)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof *out);
    lf_status st = read_text(path, &text, &len, err);
    if (st)
        return st;
    st = lf_yaml_load_tree_buffer(path, text, len, out, err);
    free(text);
    return st;
}

void lf_yaml_tree_free(lf_yaml_tree *t)
{
    yaml_tree_priv *p = t->priv;
    if (p) {
        tree_release(&p->t);
        yaml_document_delete(&p->doc);
        free(p);
    }
    t->priv = NULL;
    t->root = NULL;
}
