/* qlvb-admin: migrations, seed data and user administration.
 *
 *   qlvb-admin migrate                 apply sql/migrations/NNNN_*.sql not yet applied
 *   qlvb-admin seed-agencies           load the province's agencies and units
 *   qlvb-admin seed-demo               agencies, units and the demo accounts (local stack only)
 *   qlvb-admin create-user USER "Full name" AGENCY_CODE POSITION "Title" ROLES [UNIT_ABBR]
 *                                      password read from standard input
 *   qlvb-admin set-password USER       password read from standard input
 *
 * Connects with QLVB_ADMIN_DATABASE_URL (falls back to QLVB_DATABASE_URL). */
#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include "../fcgi/password.h"
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

static PGconn *conn;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("qlvb-admin: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (conn)
        PQfinish(conn);
    exit(1);
}

static void connect_db(void)
{
    const char *url = getenv("QLVB_ADMIN_DATABASE_URL");
    if (!url || !*url)
        url = getenv("QLVB_DATABASE_URL");
    if (!url || !*url)
        die("set QLVB_ADMIN_DATABASE_URL (the owner role's connection string)");
    const char *keys[] = { "dbname", "connect_timeout", "application_name", NULL };
    const char *vals[] = { url, "5", "qlvb-admin", NULL };
    conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) != CONNECTION_OK)
        die("cannot connect: %s", PQerrorMessage(conn));
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
}

/* Runs a parameterised statement; dies on failure. The caller clears. */
static PGresult *q(const char *sql, int n, const char *const *p)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        die("%s", PQresultErrorMessage(res));
    return res;
}

static void q0(const char *sql, int n, const char *const *p)
{
    PQclear(q(sql, n, p));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        die("cannot read %s", path);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int cmd_migrate(void)
{
    const char *dir = getenv("QLVB_MIGRATIONS_DIR");
    if (!dir || !*dir)
        dir = "sql/migrations";
    q0("CREATE TABLE IF NOT EXISTS schema_migrations ("
       " version text PRIMARY KEY, name text NOT NULL,"
       " applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL);
    DIR *d = opendir(dir);
    if (!d)
        die("cannot open %s: %s", dir, strerror(errno));
    char *names[1024];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 1024) {
        size_t l = strlen(e->d_name);
        if (l > 9 && strcmp(e->d_name + l - 4, ".sql") == 0 &&
            strspn(e->d_name, "0123456789") == 4 && e->d_name[4] == '_')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    int applied = 0;
    for (int i = 0; i < n; i++) {
        char version[5];
        memcpy(version, names[i], 4);
        version[4] = '\0';
        const char *pv[1] = { version };
        PGresult *res = q("SELECT 1 FROM schema_migrations WHERE version = $1", 1, pv);
        bool done = PQntuples(res) > 0;
        PQclear(res);
        if (done) {
            free(names[i]);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *sql = read_file(path);
        printf("migrate: applying %s\n", names[i]);
        fflush(stdout);
        q0("BEGIN", 0, NULL);
        /* a migration file is a script of several statements, run as one */
        res = PQexec(conn, sql);
        if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
            die("%s failed, nothing of it applied: %s", names[i], PQresultErrorMessage(res));
        PQclear(res);
        const char *pr[2] = { version, names[i] };
        q0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2, pr);
        q0("COMMIT", 0, NULL);
        free(sql);
        free(names[i]);
        applied++;
    }
    printf("migrate: %d applied, %d already there\n", applied, n - applied);
    return 0;
}

/* Splits one CSV line (RFC 4180 quotes, no embedded newlines) in place. */
static int csv_split(char *line, char *f[], int max)
{
    int n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        if (*p == '"') {
            char *o = ++p;
            f[n++] = o;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *o++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else
                    *o++ = *p++;
            }
            *o = '\0';
            if (*p == ',')
                p++;
            else
                break;
        } else {
            f[n++] = p;
            char *c = strchr(p, ',');
            if (!c)
                break;
            *c = '\0';
            p = c + 1;
        }
    }
    return n;
}

typedef void (*row_fn)(char *f[], int n, int lineno, const char *path);

static int csv_each(const char *path, int want, row_fn fn)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        die("cannot open %s: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0, rows = 0;
    while (fgets(line, sizeof line, fp)) {
        if (++lineno == 1 || line[0] == '\n')
            continue;
        char *f[MAX_FIELDS];
        int n = csv_split(line, f, MAX_FIELDS);
        if (n != want)
            die("%s:%d: %d fields, %d expected", path, lineno, n, want);
        fn(f, n, lineno, path);
        rows++;
    }
    fclose(fp);
    return rows;
}

static const char *nul_if_empty(const char *s)
{
    return s && *s ? s : NULL;
}

static void agency_row(char *f[], int n, int lineno, const char *path)
{
    (void)n; (void)lineno; (void)path;
    const char *p[6] = { f[0], f[1], f[2], f[3], nul_if_empty(f[4]), nul_if_empty(f[5]) };
    q0("INSERT INTO agencies (code, name, abbr, kind, parent_id, rollout_phase)"
       " SELECT $1, $2, $3, $4, (SELECT id FROM agencies WHERE code = $5 AND valid_to IS NULL), $6::smallint"
       " WHERE NOT EXISTS (SELECT 1 FROM agencies WHERE code = $1 AND valid_to IS NULL)", 6, p);
}

static void unit_row(char *f[], int n, int lineno, const char *path)
{
    (void)n;
    const char *p[4] = { f[0], f[1], f[2], f[3] };
    PGresult *res = q("INSERT INTO units (agency_id, code, name, abbr)"
                      " SELECT a.id, $2, $3, $4 FROM agencies a WHERE a.code = $1 AND a.valid_to IS NULL"
                      " ON CONFLICT (agency_id, abbr) DO NOTHING RETURNING 1", 4, p);
    (void)res;
    PQclear(res);
    (void)lineno; (void)path;
}

static const char *seed_dir(void)
{
    const char *d = getenv("QLVB_SEED_DIR");
    return d && *d ? d : "sql/seed";
}

static int cmd_seed_agencies(void)
{
    char path[4096];
    q0("BEGIN", 0, NULL);
    snprintf(path, sizeof path, "%s/agencies.csv", seed_dir());
    int a = csv_each(path, 6, agency_row);
    snprintf(path, sizeof path, "%s/units.csv", seed_dir());
    int u = csv_each(path, 4, unit_row);
    q0("COMMIT", 0, NULL);
    printf("seed: %d agencies and %d units in the seed files (existing rows kept)\n", a, u);
    return 0;
}

static char *hash_password(const char *pw)
{
    static char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, pw, strlen(pw), PW_OPSLIMIT,
                          PW_MEMLIMIT) != 0)
        die("out of memory while hashing");
    return out;
}

/* Creates (or updates) a user with one primary membership. */
static void upsert_user(const char *username, const char *full_name, const char *agency,
                        const char *unit_abbr, const char *position, const char *title,
                        const char *roles_csv, const char *hash)
{
    char roles[512];
    snprintf(roles, sizeof roles, "{%s}", roles_csv);
    for (char *c = roles; *c; c++)
        if (*c == ';')
            *c = ',';
    const char *pu[3] = { username, full_name, hash };
    PGresult *res = q("INSERT INTO users (username, full_name, password_hash) VALUES ($1, $2, $3)"
                      " ON CONFLICT (username) DO UPDATE SET full_name = EXCLUDED.full_name"
                      " RETURNING id", 3, pu);
    const char *uid = PQgetvalue(res, 0, 0);
    const char *pa[1] = { agency };
    PGresult *ar = q("SELECT id FROM agencies WHERE code = $1 AND valid_to IS NULL", 1, pa);
    if (PQntuples(ar) != 1)
        die("no agency with code %s", agency);
    const char *aid = PQgetvalue(ar, 0, 0);
    const char *pm[6] = { uid, aid, nul_if_empty(unit_abbr), position, title, roles };
    q0("DELETE FROM memberships WHERE user_id = $1 AND is_primary", 1, pm);
    q0("INSERT INTO memberships (user_id, agency_id, unit_id, position, title, roles, is_primary)"
       " VALUES ($1, $2, (SELECT id FROM units WHERE agency_id = $2 AND abbr = $3), $4, $5, $6::text[], true)",
       6, pm);
    PQclear(ar);
    PQclear(res);
}

static const char *demo_hash;

static void demo_user_row(char *f[], int n, int lineno, const char *path)
{
    (void)n; (void)lineno; (void)path;
    upsert_user(f[0], f[1], f[2], f[3], f[4], f[5], f[6], demo_hash);
    printf("  %-18s %s — %s\n", f[0], f[1], f[5]);
}

static int cmd_seed_demo(void)
{
    const char *allow = getenv("QLVB_DEMO");
    if (!allow || strcmp(allow, "1") != 0)
        die("seed-demo loads accounts with a known password; it runs only with QLVB_DEMO=1 (the local stack sets it)");
    cmd_seed_agencies();
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-users.csv", seed_dir());
    demo_hash = hash_password("demo123");
    printf("seed: demo accounts:\n");
    q0("BEGIN", 0, NULL);
    csv_each(path, 7, demo_user_row);
    q0("COMMIT", 0, NULL);
    return 0;
}

static char *read_password(void)
{
    static char buf[512];
    if (!fgets(buf, sizeof buf, stdin))
        die("no password on standard input");
    buf[strcspn(buf, "\r\n")] = '\0';
    if (strlen(buf) < 8)
        die("the password must be at least 8 characters");
    return buf;
}

static int cmd_create_user(int argc, char **argv)
{
    if (argc < 7)
        die("usage: create-user USER \"Full name\" AGENCY_CODE POSITION \"Title\" ROLES [UNIT_ABBR]");
    const char *hash = hash_password(read_password());
    q0("BEGIN", 0, NULL);
    upsert_user(argv[1], argv[2], argv[3], argc > 7 ? argv[7] : "", argv[4], argv[5], argv[6], hash);
    q0("COMMIT", 0, NULL);
    printf("user %s ready\n", argv[1]);
    return 0;
}

static int cmd_set_password(int argc, char **argv)
{
    if (argc < 2)
        die("usage: set-password USER  (password on standard input)");
    const char *p[2] = { argv[1], hash_password(read_password()) };
    PGresult *res = q("UPDATE users SET password_hash = $2 WHERE username = $1", 2, p);
    bool found = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (!found)
        die("no user %s", argv[1]);
    printf("password of %s changed\n", argv[1]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: qlvb-admin migrate | seed-agencies | seed-demo | create-user ... | set-password USER\n");
        return 2;
    }
    if (sodium_init() < 0)
        die("libsodium cannot start");
    const char *cmd = argv[1];
    if (strcmp(cmd, "migrate") != 0 && strcmp(cmd, "seed-agencies") != 0 &&
        strcmp(cmd, "seed-demo") != 0 && strcmp(cmd, "create-user") != 0 &&
        strcmp(cmd, "set-password") != 0) {
        fprintf(stderr, "qlvb-admin: unknown command %s\n", cmd);
        return 2;
    }
    connect_db();
    int rc;
    if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate();
    else if (strcmp(cmd, "seed-agencies") == 0)
        rc = cmd_seed_agencies();
    else if (strcmp(cmd, "seed-demo") == 0)
        rc = cmd_seed_demo();
    else if (strcmp(cmd, "create-user") == 0)
        rc = cmd_create_user(argc - 1, argv + 1);
    else
        rc = cmd_set_password(argc - 1, argv + 1);
    PQfinish(conn);
    return rc;
}
