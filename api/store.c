/* The file store: see store.h. */
#include "store.h"
#include "../fcgi/arena.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *store_path(struct arena *a, const char *dir, const char *hex)
{
    return arena_sprintf(a, "%s/%.2s/%.2s/%s", dir, hex, hex + 2, hex);
}

/* fsync of a folder, so that what was created or renamed in it stays. */
static bool sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
}

/* mkdir, and an fsync of its parent when it was created. */
static bool make_dir(struct arena *a, const char *dir)
{
    if (mkdir(dir, 0750) != 0)
        return errno == EEXIST;
    const char *slash = strrchr(dir, '/');
    return !slash || sync_dir(slash == dir ? "/" : arena_strndup(a, dir, (size_t)(slash - dir)));
}

bool store_matches(const char *path, const char *hex)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        crypto_hash_sha256_update(&st, buf, (size_t)n);
    close(fd);
    if (n < 0)
        return false;
    unsigned char h[crypto_hash_sha256_BYTES];
    char got[sizeof h * 2 + 1];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(got, sizeof got, h, sizeof h);
    return strcmp(got, hex) == 0;
}

bool store_put(struct arena *a, const char *dir, const char *hex, const void *buf, size_t len,
               const char *tag, bool *mended)
{
    *mended = false;
    char *d1 = arena_sprintf(a, "%s/%.2s", dir, hex);
    char *d2 = arena_sprintf(a, "%s/%.2s", d1, hex + 2);
    char *path = store_path(a, dir, hex);
    struct stat st;
    if (stat(path, &st) == 0) {
        if ((size_t)st.st_size == len && store_matches(path, hex))
            return true;
        *mended = true;            /* damaged bytes under this hash: replace them */
    }
    if (!make_dir(a, dir) || !make_dir(a, d1) || !make_dir(a, d2))
        return false;
    char *tmp = arena_sprintf(a, "%s.%s.tmp", path, tag);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0)
        return false;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, (const char *)buf + off, len - off);
        if (w <= 0) {
            int saved = errno;
            close(fd);
            unlink(tmp);
            errno = saved;
            return false;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0 || !sync_dir(d2)) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return false;
    }
    return true;
}
