/*
 * workspace.c — a workspace: its configuration and its store (leadflow/app.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "leadflow/app.h"
#include "leadflow/buf.h"
#include "leadflow/store.h"

void lf_workspace_init(lf_workspace *ws, const char *dir, const char *store_url)
{
    memset(ws, 0, sizeof *ws);
    ws->dir = dir ? dir : ".";
    ws->store_url = store_url;
}

char *lf_workspace_path(const lf_workspace *ws, const char *name)
{
    lf_buf b;
    lf_buf_init(&b, 0);
    lf_status st = LF_OK;
    if (strcmp(ws->dir, ".") != 0) { /* "leadflow.yaml", not "./leadflow.yaml", in messages */
        st = lf_buf_adds(&b, ws->dir);
        if (st == LF_OK && b.len && b.data[b.len - 1] != '/')
            st = lf_buf_addc(&b, '/');
    }
    if (st == LF_OK)
        st = lf_buf_adds(&b, name);
    if (st != LF_OK) {
        lf_buf_release(&b);
        return NULL;
    }
    return lf_buf_detach(&b);
}

lf_status lf_workspace_load_config(lf_workspace *ws, lf_error *err)
{
    if (ws->cfg_loaded)
        return LF_OK;
    char *path = lf_workspace_path(ws, "leadflow.yaml");
    if (!path)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    struct stat sb;
    lf_status s;
    if (stat(path, &sb) != 0)
        s = lf_errorf(err, LF_ECONFIG,
                      "not a leadflow workspace: no leadflow.yaml in '%s' (run 'leadflow init')",
                      ws->dir);
    else
        s = lf_config_load(&ws->cfg, path, err);
    free(path);
    ws->cfg_loaded = s == LF_OK;
    return s;
}

lf_status lf_workspace_open(lf_workspace *ws, lf_error *err)
{
    lf_status s = lf_workspace_load_config(ws, err);
    if (s != LF_OK || ws->store)
        return s;
    char *path = ws->store_url ? strdup(ws->store_url) : lf_workspace_path(ws, "leadflow.db");
    if (!path)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    s = lf_store_open(&ws->store, path, err);
    free(path);
    return s;
}

void lf_workspace_release(lf_workspace *ws)
{
    lf_store_close(ws->store);
    ws->store = NULL;
    if (ws->cfg_loaded)
        lf_config_release(&ws->cfg);
    ws->cfg_loaded = false;
}

int lf_app_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
        return 0;
    if (a[2 + n] == '=') {
        *value = a + 3 + n;
        (*i)++;
        return 1;
    }
    if (a[2 + n] != '\0' || *i + 1 >= argc)
        return a[2 + n] != '\0' ? 0 : -1;
    *value = argv[*i + 1];
    *i += 2;
    return 1;
}
