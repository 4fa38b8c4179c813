/*
 * app.h — the application layer: what the front ends (the CLI, the HTTP server) do,
 * as library functions that return values and bytes and never print. A front end
 * parses its arguments, calls one of these, and shows the result.
 *
 * This header: the workspace (SPEC §1), a directory with leadflow.yaml and, by
 * default, the store leadflow.db; --store / LEADFLOW_STORE may name another store.
 */
#ifndef LEADFLOW_APP_H
#define LEADFLOW_APP_H

#include <stdbool.h>

#include "leadflow/config.h"
#include "leadflow/error.h"

struct lf_store;

typedef struct lf_workspace {
    const char *dir;          /* borrowed: the workspace directory ("." by default) */
    const char *store_url;    /* borrowed: NULL = DIR/leadflow.db */
    lf_config cfg;            /* valid once cfg_loaded */
    bool cfg_loaded;
    struct lf_store *store;   /* NULL until lf_workspace_open */
} lf_workspace;

/* Sets up ws for dir (NULL = ".") and store_url (NULL = DIR/leadflow.db); nothing is
 * read yet. The strings are borrowed for the workspace's life. */
void lf_workspace_init(lf_workspace *ws, const char *dir, const char *store_url);
/* Loads DIR/leadflow.yaml (once). LF_ECONFIG when the directory holds none ("not a
 * leadflow workspace ... run 'leadflow init'") or it is invalid. */
lf_status lf_workspace_load_config(lf_workspace *ws, lf_error *err);
/* Loads the configuration and opens the store (once). */
lf_status lf_workspace_open(lf_workspace *ws, lf_error *err);
/* DIR joined with name, newly allocated ("name" alone when DIR is "."); NULL when out
 * of memory. */
char *lf_workspace_path(const lf_workspace *ws, const char *name);
/* Closes the store and releases the configuration. */
void lf_workspace_release(lf_workspace *ws);

/* The front ends' option matching: option `name` at argv[*i] as "--name VALUE" or
 * "--name=VALUE". 1: *value set and *i moved past it; 0: argv[*i] is not this option;
 * -1: the value is missing (the caller says so). */
int lf_app_opt(int argc, char **argv, int *i, const char *name, const char **value);

#endif
