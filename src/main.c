/*
 * main.c — the leadflow executable: `serve` goes to the HTTP server (sv_main), every
 * other command line to the CLI (cli_main). Belongs to no part (docs/ARCHITECTURE.md):
 * the two front ends share the library and never include each other; this file is
 * the only one that knows both.
 *
 * The command is the first argument that is not a global option (--workspace DIR,
 * --store URL, their =VALUE forms); anything unexpected goes to the CLI, which owns
 * the usage errors.
 */
#include <string.h>

#include "main.h"

/* Index of the command word in argv, or argc when there is none. */
static int command_index(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--workspace") == 0 || strcmp(argv[i], "--store") == 0)
            i += 2;
        else if (strncmp(argv[i], "--workspace=", 12) == 0 ||
                 strncmp(argv[i], "--store=", 8) == 0)
            i++;
        else
            return argc; /* --help, --version, an unknown option: the CLI's */
    }
    return i < argc ? i : argc;
}

int main(int argc, char **argv)
{
    int i = command_index(argc, argv);
    if (i < argc && strcmp(argv[i], "serve") == 0)
        return sv_main(argc, argv);
    return cli_main(argc, argv);
}
