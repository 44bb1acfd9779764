/*
 * esock_vectors FILE...: evaluate golden vector files line by line and print
 * "FILE: N passed, M failed" for each. Exits 1 if any line fails or cannot be
 * parsed, or if a file is of no known kind. With -v, prints every failure.
 */
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vec_kind *const kinds[] = {
    &vec_format_error, &vec_address_parse, &vec_address_ntoa, &vec_address_misc, &vec_decode_packet,
};

static const struct vec_kind *kind_for(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i]->file, base) == 0)
            return kinds[i];
    return NULL;
}

/* Reads one line of any length; returns NULL at EOF. */
static char *read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0)
        return NULL;
    if (n > 0 && (*buf)[n - 1] == '\n')
        (*buf)[n - 1] = '\0';
    return *buf;
}

static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    for (char *s = line;;) {
        if (n == max)
            return -1;
        f[n++] = s;
        char *t = strchr(s, '\t');
        if (t == NULL)
            return n;
        *t = '\0';
        s = t + 1;
    }
}

static int run_file(const char *path, int verbose)
{
    const struct vec_kind *k = kind_for(path);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        printf("%s: cannot open\n", path);
        return 1;
    }
    if (k == NULL) {
        printf("%s: no evaluator for this file\n", path);
        fclose(f);
        return 1;
    }
    char *buf = NULL;
    size_t cap = 0;
    long passed = 0, failed = 0, lineno = 0;
    char *line = read_line(f, &buf, &cap);
    lineno++;
    if (line == NULL || strcmp(line, k->header) != 0) {
        printf("%s: unexpected header\n", path);
        free(buf);
        fclose(f);
        return 1;
    }
    int hdr_fields = 1;
    for (const char *s = k->header; *s; s++)
        hdr_fields += *s == '\t';
    while ((line = read_line(f, &buf, &cap)) != NULL) {
        lineno++;
        char *fields[16];
        char msg[512] = "";
        int nf = split_tabs(line, fields, 16);
        int r = nf == hdr_fields ? k->line(fields, nf, msg, sizeof msg) : -1;
        if (r == 1) {
            passed++;
        } else {
            failed++;
            if (verbose)
                printf("  %s:%ld: %s: %s\n", path, lineno, r < 0 ? "unparsable" : "FAIL", msg);
        }
    }
    free(buf);
    fclose(f);
    printf("%s: %ld passed, %ld failed\n", path, passed, failed);
    return failed != 0 || passed == 0;
}

int main(int argc, char **argv)
{
    int verbose = 0, bad = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
            continue;
        }
        files++;
        bad |= run_file(argv[i], verbose);
    }
    if (files == 0) {
        fprintf(stderr, "usage: esock_vectors [-v] FILE.tsv...\n");
        return 2;
    }
    return bad ? 1 : 0;
}
