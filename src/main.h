/*
 * main.h — the two front ends' entry points, called by src/main.c (which belongs to
 * no part: it only dispatches, so the CLI and the server never include each other).
 */
#ifndef LEADFLOW_MAIN_H
#define LEADFLOW_MAIN_H

/* The command line (src/cli/main.c): every command but `serve`; returns the exit code. */
int cli_main(int argc, char **argv);
/* `leadflow [--workspace DIR] [--store URL] serve [...]` (src/server/server_main.c):
 * argv is the whole command line, as main() got it; returns the exit code. */
int sv_main(int argc, char **argv);

#endif
