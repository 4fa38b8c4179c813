/*
 * cmd_init.c — `leadflow init [DIR]`: a commented leadflow.yaml and an empty store.
 * The configuration holds no lead data: a new one gets 0666 less the umask, and it is
 * written whole or not at all (leadflow/outfile.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "leadflow/outfile.h"

int cmd_init(cli_ctx *ctx, int argc, char **argv)
{
    const cli_command *cmd = cli_find("init");
    if (argc > 2)
        return cli_usage(cmd, "too many arguments");
    if (argc == 2) {
        if (argv[1][0] == '-')
            return cli_usage(cmd, "unknown option '%s'", argv[1]);
        ctx->ws.dir = argv[1];
    }
    lf_error derr;
    if (lf_make_dirs(ctx->ws.dir, &derr) != LF_OK)
        return cli_fail(derr.code, "%s", derr.msg);
    char *path = cli_path(ctx->ws.dir, "leadflow.yaml");
    struct stat sb;
    bool kept = stat(path, &sb) == 0;
    if (!kept) {
        /* through a temporary file and a rename: a failed write (full disk) leaves no
         * half-written leadflow.yaml that the next init would keep */
        const char *text = lf_config_example();
        lf_error err;
        if (lf_outfile_save(path, text, strlen(text), LF_OUTFILE_PUBLIC, &err) != LF_OK) {
            free(path);
            return cli_fail(err.code, "%s", err.msg);
        }
    }
    free(path);
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    printf("%s leadflow workspace in '%s'%s\n", kept ? "opened" : "initialised", ctx->ws.dir,
           kept ? " (leadflow.yaml kept)" : "");
    return 0;
}
