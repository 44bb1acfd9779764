/*
 * rc.c - inet:get_rc/0: the resolver configuration esock uses.
 *
 * esock always asks the system resolver (OTP's {lookup, [native]}), so the
 * configuration is what the OS applies: the "hosts:" line of
 * /etc/nsswitch.conf (sources and order), /etc/hosts, and /etc/resolv.conf
 * (nameservers, domain, search list, options). Files are read at each call,
 * as glibc rereads them when they change.
 */
#include "resolve/resolve_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESOLV_CONF "/etc/resolv.conf"
#define HOSTS_FILE "/etc/hosts"
#define NSSWITCH_CONF "/etc/nsswitch.conf"

typedef struct builder {
    esock_rc_t *rc;
    size_t cap;
    int err;
} builder_t;

static void add(builder_t *b, const char *key, const char *val, size_t len)
{
    if (b->err)
        return;
    if (b->rc->count == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 16;
        esock_rc_entry_t *e = realloc(b->rc->entries, ncap * sizeof *e);
        if (!e) {
            b->err = -ENOMEM;
            return;
        }
        b->rc->entries = e;
        b->cap = ncap;
    }
    char *v = strndup(val, len);
    if (!v) {
        b->err = -ENOMEM;
        return;
    }
    b->rc->entries[b->rc->count].key = key; /* keys are static strings */
    b->rc->entries[b->rc->count++].value = v;
}

static void adds(builder_t *b, const char *key, const char *val)
{
    add(b, key, val, strlen(val));
}

/* The next blank-separated word of *p, or NULL at the end. */
static const char *word(const char **p, size_t *len)
{
    const char *s = *p;
    while (*s && isspace((unsigned char)*s))
        s++;
    if (!*s)
        return NULL;
    const char *e = s;
    while (*e && !isspace((unsigned char)*e))
        e++;
    *len = (size_t)(e - s);
    *p = e;
    return s;
}

static void strip_comment(char *line, const char *marks)
{
    line[strcspn(line, marks)] = '\0';
}

/*
 * The sources of an nsswitch.conf line about database @p db, or NULL for a
 * line about something else. Read as glibc reads it: the name ends at a
 * blank or ':', then every blank and ':' is skipped, so "hosts:dns",
 * "hosts : dns" and "hosts dns" all configure hosts.
 */
static char *db_sources(char *line, const char *db)
{
    while (isspace((unsigned char)*line))
        line++;
    const char *name = line;
    while (*line && !isspace((unsigned char)*line) && *line != ':')
        line++;
    if (*line == '\0' || (size_t)(line - name) != strlen(db) || strncmp(name, db, strlen(db)) != 0)
        return NULL;
    while (*line && (isspace((unsigned char)*line) || *line == ':'))
        line++;
    return line;
}

/* The sources of the hosts line, normalised to single spaces. glibc applies
 * the last hosts line of the file, so each one replaces the one before. */
static void read_nsswitch(builder_t *b)
{
    FILE *f = fopen(NSSWITCH_CONF, "re");
    char line[1024], out[1024];
    size_t n = 0;
    bool found = false;
    if (f) {
        while (fgets(line, sizeof line, f)) {
            char *src = db_sources(line, "hosts");
            if (!src)
                continue;
            strip_comment(src, "#\n");
            const char *p = src, *w;
            size_t len;
            n = 0;
            while ((w = word(&p, &len)) && n + len + 2 < sizeof out) {
                if (n)
                    out[n++] = ' ';
                memcpy(out + n, w, len);
                n += len;
            }
            found = true;
        }
        fclose(f);
    }
    if (found)
        add(b, "nsswitch", out, n);
    else
        adds(b, "nsswitch", "files dns"); /* glibc's default without a hosts line */
}

/* Table of resolv.conf keywords: the key reported, whether each word after
 * the keyword becomes an entry of its own, and whether the line sets the
 * search list (glibc applies only the last "domain" or "search" line). */
static const struct {
    const char *word;
    const char *key;
    bool each;
    bool search_list;
} resolv_tab[] = {
    {"nameserver", "nameserver", false, false},
    {"domain", "domain", false, true},
    {"search", "search", true, true},
    {"options", "options", true, false},
};

/* Forget the domain and search entries read so far: a later domain or
 * search line replaces them, as in glibc. */
static void drop_search_list(builder_t *b)
{
    size_t k = 0;
    for (size_t i = 0; i < b->rc->count; i++) {
        esock_rc_entry_t e = b->rc->entries[i];
        if (strcmp(e.key, "domain") == 0 || strcmp(e.key, "search") == 0)
            free((void *)e.value);
        else
            b->rc->entries[k++] = e;
    }
    b->rc->count = k;
}

static void read_resolv(builder_t *b)
{
    FILE *f = fopen(RESOLV_CONF, "re");
    char line[1024];
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        strip_comment(line, "#;\n");
        const char *p = line, *w;
        size_t len;
        if (!(w = word(&p, &len)))
            continue;
        for (size_t i = 0; i < sizeof resolv_tab / sizeof resolv_tab[0]; i++) {
            if (strlen(resolv_tab[i].word) != len || strncmp(w, resolv_tab[i].word, len) != 0)
                continue;
            const char *v;
            size_t vlen;
            if (!(v = word(&p, &vlen)))
                break; /* a keyword without a value is ignored, as by glibc */
            if (resolv_tab[i].search_list)
                drop_search_list(b);
            do {
                add(b, resolv_tab[i].key, v, vlen);
            } while (resolv_tab[i].each && (v = word(&p, &vlen)));
        }
    }
    fclose(f);
}

int esock_get_rc(esock_rc_t **out)
{
    if (!out)
        return -EINVAL;
    builder_t b = {calloc(1, sizeof(esock_rc_t)), 0, 0};
    *out = NULL;
    if (!b.rc)
        return -ENOMEM;
    adds(&b, "resolv_conf", RESOLV_CONF);
    adds(&b, "hosts_file", HOSTS_FILE);
    adds(&b, "lookup", "native");
    read_nsswitch(&b);
    read_resolv(&b);
    if (b.err) {
        esock_rc_free(b.rc);
        return b.err;
    }
    *out = b.rc;
    return 0;
}

const char *esock_rc_get(const esock_rc_t *rc, const char *key)
{
    if (!rc || !key)
        return NULL;
    for (size_t i = 0; i < rc->count; i++)
        if (strcmp(rc->entries[i].key, key) == 0)
            return rc->entries[i].value;
    return NULL;
}

void esock_rc_free(esock_rc_t *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < rc->count; i++)
        free((void *)rc->entries[i].value);
    free(rc->entries);
    free(rc);
}
