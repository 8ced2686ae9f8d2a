/* The file store: bytes under DIR/ab/cd/<sha256>, keyed by their hash; the
 * database holds only the key. Writes are crash-safe (a temporary file,
 * fsync, rename, fsync of the folder); bytes already there under a hash are
 * checked against it before they are trusted, and replaced when they do not
 * match. Used by the API's uploads and by qlvb-admin store-check. */
#ifndef QLVB_API_STORE_H
#define QLVB_API_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* The path of a hash's bytes, in a. */
char *store_path(struct arena *a, const char *dir, const char *hex);

/* Keeps len bytes (whose SHA-256 is hex) under dir. *mended is set when
 * bytes were there under that hash but did not match it and were replaced.
 * tag makes the temporary file's name unique. False with errno set. */
bool store_put(struct arena *a, const char *dir, const char *hex, const void *buf, size_t len,
               const char *tag, bool *mended);

/* Whether the file at path has the SHA-256 hex (read in full). */
bool store_matches(const char *path, const char *hex);

#endif
