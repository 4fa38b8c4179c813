/*
 * auth.c — who may do what: bearer tokens (LEADFLOW_TOKENS) and the dashboard's
 * sessions (SPEC §8 "Tokens", "Dashboard").
 *
 * Tokens are "SCOPE:TOKEN" pairs, scope read or write (write implies read). A token is
 * 16 to 256 visible ASCII characters; at most 64 tokens. Comparison runs over every
 * configured token and every byte of each (no early exit), so its time says nothing
 * about how much of a guess matched. Tokens are never printed or logged; a bad
 * LEADFLOW_TOKENS is named by its entry number only.
 *
 * Sessions: 256-bit random ids (getrandom) as 64 hex digits, in a fixed table of
 * SV_SESSIONS entries that expire after SV_SESSION_TTL; a full table of live sessions
 * refuses a new one (the login says so) rather than evicting someone. Lookups
 * compare in constant time too. One mutex guards the table.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "server.h"

enum { SV_MAX_TOKENS = 64, SV_TOKEN_MIN = 16, SV_TOKEN_MAX = 256, SV_SESSIONS = 1024 };
#define SV_SESSION_TTL (12 * 3600) /* seconds */

typedef struct sv_token {
    sv_scope scope;
    size_t len;
    char text[SV_TOKEN_MAX + 1];
} sv_token;

typedef struct sv_session {
    char id[65];
    sv_scope scope;
    time_t expires; /* CLOCK_MONOTONIC seconds; 0 = free */
} sv_session;

struct sv_auth {
    sv_token tokens[SV_MAX_TOKENS];
    size_t ntokens;
    pthread_mutex_t lock;
    sv_session sessions[SV_SESSIONS];
};

static time_t now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* Fills buf with n random bytes from the kernel; false if it cannot. */
static bool random_bytes(unsigned char *buf, size_t n)
{
    size_t got = 0;
    for (int tries = 0; got < n && tries < 100; tries++) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
    return got == n;
}

/* 32 random bytes as 64 lower-case hex digits into out[65]. */
static bool random_hex(char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[32];
    if (!random_bytes(b, sizeof b))
        return false;
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[64] = '\0';
    return true;
}

/* Whether a (secret, len alen) equals b (len blen), in time that depends on alen only. */
static bool ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < alen; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)(blen ? b[i % blen] : 0);
    return diff == 0;
}

/* Reads one "SCOPE:TOKEN" entry [s, s+n) into t. */
static bool parse_entry(const char *s, size_t n, sv_token *t)
{
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return false;
    size_t sl = (size_t)(colon - s), tl = n - sl - 1;
    if (sl == 4 && memcmp(s, "read", 4) == 0)
        t->scope = SV_SCOPE_READ;
    else if (sl == 5 && memcmp(s, "write", 5) == 0)
        t->scope = SV_SCOPE_WRITE;
    else
        return false;
    if (tl < SV_TOKEN_MIN || tl > SV_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < tl; i++)
        if (colon[1 + i] < 0x21 || colon[1 + i] > 0x7e)
            return false;
    memcpy(t->text, colon + 1, tl);
    t->text[tl] = '\0';
    t->len = tl;
    return true;
}

static lf_status parse_tokens(sv_auth *a, const char *s, lf_error *err)
{
    size_t entry = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        entry++;
        if (n > 0) {
            if (a->ntokens >= SV_MAX_TOKENS)
                return lf_errorf(err, LF_ECONFIG, "LEADFLOW_TOKENS: more than %d tokens",
                                 SV_MAX_TOKENS);
            if (!parse_entry(s, n, &a->tokens[a->ntokens]))
                return lf_errorf(err, LF_ECONFIG,
                                 "LEADFLOW_TOKENS: entry %zu: expected read:TOKEN or "
                                 "write:TOKEN, the token %d to %d visible characters",
                                 entry, SV_TOKEN_MIN, SV_TOKEN_MAX);
            a->ntokens++;
        }
        s += n + (s[n] == ',');
    }
    if (a->ntokens == 0)
        return lf_errorf(err, LF_ECONFIG, "LEADFLOW_TOKENS: no token");
    return LF_OK;
}

lf_status sv_auth_init(sv_server *srv, const char *tokens, char generated[65], lf_error *err)
{
    sv_auth *a = calloc(1, sizeof *a);
    generated[0] = '\0';
    if (!a)
        return lf_errorf(err, LF_ENOMEM, "out of memory");
    pthread_mutex_init(&a->lock, NULL);
    srv->auth = a;
    if (tokens && *tokens)
        return parse_tokens(a, tokens, err);
    if (!random_hex(generated))
        return lf_errorf(err, LF_ECONFIG, "cannot make a random token (getrandom failed)");
    a->tokens[0].scope = SV_SCOPE_WRITE;
    a->tokens[0].len = 64;
    memcpy(a->tokens[0].text, generated, 65);
    a->ntokens = 1;
    return LF_OK;
}

void sv_auth_release(sv_server *srv)
{
    if (!srv->auth)
        return;
    pthread_mutex_destroy(&srv->auth->lock);
    memset(srv->auth, 0, sizeof *srv->auth); /* no token left in freed memory */
    free(srv->auth);
    srv->auth = NULL;
}

sv_scope sv_token_scope(sv_server *srv, const char *token)
{
    sv_auth *a = srv->auth;
    if (!a || !token)
        return SV_SCOPE_NONE;
    size_t n = strnlen(token, SV_TOKEN_MAX + 1);
    sv_scope best = SV_SCOPE_NONE;
    for (size_t i = 0; i < a->ntokens; i++) /* every token, whatever matched before */
        if (ct_equal(a->tokens[i].text, a->tokens[i].len, token, n) &&
            a->tokens[i].scope > best)
            best = a->tokens[i].scope;
    return best;
}

sv_scope sv_bearer_scope(sv_server *srv, const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return SV_SCOPE_NONE;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    char tok[SV_TOKEN_MAX + 2];
    size_t n = strcspn(t, " \t");
    if (n == 0 || n > SV_TOKEN_MAX || t[n + strspn(t + n, " \t")])
        return SV_SCOPE_NONE;
    memcpy(tok, t, n);
    tok[n] = '\0';
    sv_scope s = sv_token_scope(srv, tok);
    memset(tok, 0, sizeof tok);
    return s;
}

bool sv_session_new(sv_server *srv, sv_scope scope, char id[65])
{
    sv_auth *a = srv->auth;
    if (!a || scope == SV_SCOPE_NONE || !random_hex(id))
        return false;
    time_t now = now_mono();
    bool ok = false;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < SV_SESSIONS && !ok; i++) {
        sv_session *s = &a->sessions[i];
        if (s->expires == 0 || s->expires <= now) {
            memcpy(s->id, id, 65);
            s->scope = scope;
            s->expires = now + SV_SESSION_TTL;
            ok = true;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return ok;
}

sv_scope sv_session_scope(sv_server *srv, const char *id)
{
    sv_auth *a = srv->auth;
    if (!a || !id || strnlen(id, 65) != 64)
        return SV_SCOPE_NONE;
    time_t now = now_mono();
    sv_scope scope = SV_SCOPE_NONE;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < SV_SESSIONS; i++) {
        const sv_session *s = &a->sessions[i];
        bool live = s->expires > now;
        if (ct_equal(s->id, 64, id, 64) && live)
            scope = s->scope;
    }
    pthread_mutex_unlock(&a->lock);
    return scope;
}

void sv_session_end(sv_server *srv, const char *id)
{
    sv_auth *a = srv->auth;
    if (!a || !id || strnlen(id, 65) != 64)
        return;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < SV_SESSIONS; i++) { /* every entry, as in sv_session_scope */
        sv_session *s = &a->sessions[i];
        if (ct_equal(s->id, 64, id, 64) && s->expires != 0) {
            memset(s->id, 0, sizeof s->id);
            s->scope = SV_SCOPE_NONE;
            s->expires = 0;
        }
    }
    pthread_mutex_unlock(&a->lock);
}
