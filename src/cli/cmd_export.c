/* placeholder */
#include "cli.h"

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    return cli_usage(cli_find("export"), "not built yet");
}
