/*
 * cmd_rejects.c — `leadflow rejects`: the rows imports rejected, with file, line,
 * reason and the row itself (control bytes escaped so a hostile row cannot drive
 * the terminal).
 */
#include <string.h>

#include "cli.h"
#include "leadflow/text.h"

/* Prints a rejected row's text: control bytes and bytes that are not valid UTF-8 are
 * shown as \xNN, newlines as \n, so what is printed is exactly what was read. */
static void print_escaped(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c >= 0x80 && (i + len > n || !lf_utf8_valid(s + i, len, NULL)))
            len = 0; /* not a valid sequence: escape this byte */
        if (len > 1) {
            fwrite(s + i, 1, len, stdout);
            i += len;
            continue;
        }
        if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '\\')
            fputs("\\\\", stdout);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
        i++;
    }
}

static lf_status show(void *ctx, const lf_reject *r)
{
    long *n = ctx;
    (*n)++;
    printf("%s:%ld: [%s] %s\n  ", r->file, r->line, r->kind, r->reason);
    print_escaped(r->raw ? r->raw : "");
    putchar('\n');
    return LF_OK;
}

int cmd_rejects(cli_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage(cli_find("rejects"), "too many arguments");
    int code = cli_open_workspace(ctx);
    if (code)
        return code;
    long n = 0;
    lf_error err;
    lf_status s = lf_store_rejects_scan(ctx->store, show, &n, &err);
    if (s != LF_OK)
        return cli_fail(s, "%s", err.msg);
    if (n == 0)
        puts("no rejected rows");
    return 0;
}
