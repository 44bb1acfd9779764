/*
 * The golden-vector runner: shared field decoders and the kind table.
 * Field encodings are those of tests/vectors/README.md.
 */
#ifndef ESOCK_VEC_H
#define ESOCK_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VEC_MAX_TUPLE 64

/* A decoded byte string (hex or quoted); owned by the caller, free() it. */
struct vec_bytes {
    unsigned char *p;
    size_t len;
};

/* A decoded integer tuple. Elements outside int64_t saturate and are flagged. */
struct vec_tuple {
    int n;
    int64_t v[VEC_MAX_TUPLE];
    bool big[VEC_MAX_TUPLE];
};

/* Each returns 0 on success, -1 if the field is malformed. */
int vec_hex(const char *field, struct vec_bytes *out);
/* Quoted string; utf8: \u / \U become UTF-8 (code-point files), else rejected. */
int vec_quoted(const char *field, bool utf8, struct vec_bytes *out);
int vec_tuple(const char *field, struct vec_tuple *out);

/* Writes a quoted string in the vectors' own notation, for messages. */
void vec_print_quoted(char *dst, size_t cap, const unsigned char *p, size_t len);

/*
 * One line: fields split on tabs. Return 1 when the line passes, 0 when it
 * fails, -1 when it cannot be parsed; write a one-line reason into msg.
 */
typedef int (*vec_line_fn)(char **f, int nf, char *msg, size_t msgcap);

struct vec_kind {
    const char *file;   /* basename of the vector file */
    const char *header; /* its exact header line, without the newline */
    vec_line_fn line;
};

extern const struct vec_kind vec_format_error;
extern const struct vec_kind vec_address_parse;
extern const struct vec_kind vec_address_ntoa;
extern const struct vec_kind vec_address_misc;
extern const struct vec_kind vec_decode_packet;

#endif
