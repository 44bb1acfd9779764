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

/* The sources of the "hosts:" line, normalised to single spaces. */
static void read_nsswitch(builder_t *b)
{
    FILE *f = fopen(NSSWITCH_CONF, "re");
    char line[1024], out[1024];
    bool found = false;
    if (f) {
        while (!found && fgets(line, sizeof line, f)) {
            strip_comment(line, "#\n");
            const char *p = line, *w;
            size_t len, n = 0;
            w = word(&p, &len);
            if (!w || len != 6 || strncmp(w, "hosts:", 6) != 0)
                continue;
            while ((w = word(&p, &len)) && n + len + 2 < sizeof out) {
                if (n)
                    out[n++] = ' ';
                memcpy(out + n, w, len);
                n += len;
            }
            add(b, "nsswitch", out, n);
            found = true;
        }
        fclose(f);
    }
    if (!found)
        adds(b, "nsswitch", "files dns"); /* glibc's default without a hosts line */
}

/* Table of resolv.conf keywords: the key reported and whether each word
 * after the keyword becomes an entry of its own. */
static const struct {
    const char *word;
    const char *key;
    bool each;
} resolv_tab[] = {
    {"nameserver", "nameserver", false},
    {"domain", "domain", false},
    {"search", "search", true},
    {"options", "options", true},
};

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
            while ((v = word(&p, &vlen))) {
                add(b, resolv_tab[i].key, v, vlen);
                if (!resolv_tab[i].each)
                    break;
            }
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
