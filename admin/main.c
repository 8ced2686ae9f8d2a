/* qlvb-admin: migrations, seed data and user administration.
 *
 *   qlvb-admin migrate                 apply sql/migrations/NNNN_*.sql not yet applied
 *   qlvb-admin seed-agencies           load the province's agencies and units
 *   qlvb-admin seed-demo               agencies, units and the demo accounts (local stack only)
 *   qlvb-admin create-user USER "Full name" AGENCY_CODE POSITION "Title" ROLES [UNIT_ABBR]
 *                                      password read from standard input
 *                                      refused for a name that exists
 *   qlvb-admin set-membership USER AGENCY_CODE POSITION "Title" ROLES [UNIT_ABBR]
 *                                      replaces the user's primary membership
 *   qlvb-admin set-full-name USER "Full name"
 *   qlvb-admin set-password USER       password read from standard input; every
 *                                      sign-in of the user ends
 *   qlvb-admin deactivate USER         the account may no longer sign in; every sign-in ends
 *   qlvb-admin reactivate USER
 *   qlvb-admin unlock USER             clears the lock failed sign-ins put on the name
 *   qlvb-admin agency-close CODE LAST_DAY [SUCCESSOR_CODE]
 *                                      closes an agency; a successor takes its members
 *   qlvb-admin agency-rename CODE FIRST_DAY "New name" ABBR
 *                                      a new dated row of the same code takes it over
 *   qlvb-admin agency-confirm-tasks AGENCY_CODE yes|no
 *                                      tasks of a document's direction wait for the
 *                                      leader to confirm their completion (default no)
 *   qlvb-admin tasks-mark-warned       after a load of old tasks: every threshold passed
 *                                      counts as warned, nothing is sent for it
 *   qlvb-admin unit-advisory AGENCY_CODE UNIT_ABBR yes|no
 *                                      marks a unit as an advisory body (Hội đồng, Ban, Tổ)
 *                                      issuing under the agency's seal with its own books
 *   qlvb-admin store-check             every stored file against its hash (mismatches
 *                                      quarantined); unreferenced and temporary files
 *                                      older than an hour removed; exits 3 when damage
 *                                      was found
 *   qlvb-admin problems                the registry of problems, a line each
 *   qlvb-admin nginx-conf TEMPLATE     the template with nginx's refusals as registry problems
 *                                      and the body limits of the configuration
 *
 * Connects with QLVB_ADMIN_DATABASE_URL (falls back to QLVB_DATABASE_URL).
 * Its statements are rows of the one list (sql/statements.def), run through
 * the runtime's database layer as the workers' are. */
#include "../fcgi/app.h"
#include "../fcgi/arena.h"
#include "../fcgi/config.h"
#include "../fcgi/db.h"
#include "../fcgi/password.h"
#include "../fcgi/redis.h"
#include "../sql/problems.h"
#include "../sql/statements.h"
#include "../api/store.h"
#include "../cache/sessions.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

static struct arena arena;
static struct ctx cx;

static const struct app qlvb_admin = {
    .name = "qlvb-admin",
    .statements = statements_list,
    .statement_count = STMT_COUNT,
    .problems = problems_registry,
    .problem_count = PROBLEM_COUNT,
};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("qlvb-admin: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    db_close();
    exit(1);
}

static void connect_db(void)
{
    const char *url = getenv("QLVB_ADMIN_DATABASE_URL");
    if (!url || !*url)
        url = getenv("QLVB_DATABASE_URL");
    if (!url || !*url)
        die("set QLVB_ADMIN_DATABASE_URL (the owner role's connection string)");
    if (config_load() != 0)
        exit(2);
    cfg.pg_timeout_ms = 3600 * 1000;   /* a migration may take long */
    app_use(&qlvb_admin);
    db_use_url(url, "qlvb-admin");
    arena_init(&arena, 16384, 0);
    ctx_init(&cx, &arena, NULL);
    if (!db_ping(&cx))
        die("cannot connect to the database (%s)", url);
    DB_RUN0(&cx, ADMIN_QUIET);
}

/* The result of a statement that must succeed; dies with its message. */
static PGresult *must(PGresult *res)
{
    if (!res)
        die("%s", cx.db_down ? "the database connection was lost" : cx.sqlmsg);
    return res;
}

static void begin(void)
{
    if (!db_begin(&cx))
        die("cannot begin: %s", cx.sqlmsg ? cx.sqlmsg : "no connection");
}

static void commit(void)
{
    if (!db_commit(&cx))
        die("cannot commit: %s", cx.sqlmsg ? cx.sqlmsg : "no connection");
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

/* The SQL problems of the one registry, into problem_types. */
static void load_problems(void)
{
    int n;
    const struct problem *all = problems_all(&n);
    char *keep = malloc(4096), *k = keep;
    *k++ = '{';
    for (int i = 0; i < n; i++) {
        if (!all[i].sqlstate)
            continue;
        char status[16];
        snprintf(status, sizeof status, "%d", all[i].status);
        must(DB_RUN(&cx, ADMIN_PROBLEM_PUT, all[i].slug, all[i].sqlstate, status, all[i].title_vi,
                    all[i].title_en));
        k += snprintf(k, 4096 - (size_t)(k - keep), "%s%s", k == keep + 1 ? "" : ",", all[i].slug);
    }
    snprintf(k, 4096 - (size_t)(k - keep), "}");
    must(DB_RUN(&cx, ADMIN_PROBLEMS_KEEP, keep));
    free(keep);
}

/* Every function's live body, from the .sql files of sql/functions in name order, with
 * the registry's problems, in one transaction after the migrations. */
static int apply_functions(void)
{
    const char *dir = getenv("QLVB_FUNCTIONS_DIR");
    if (!dir || !*dir)
        dir = "sql/functions";
    DIR *d = opendir(dir);
    if (!d)
        die("cannot open %s: %s", dir, strerror(errno));
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".sql") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    begin();
    load_problems();
    /* bodies refer to one another across files: checked when they run */
    must(DB_RUN0(&cx, ADMIN_FUNCTION_BODIES_UNCHECKED));
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *sql = read_file(path);
        if (!db_exec_script(&cx, sql))
            die("%s failed, no function changed: %s", names[i], cx.sqlmsg);
        free(sql);
        free(names[i]);
    }
    commit();
    printf("migrate: functions of %d files in %s applied\n", n, dir);
    return 0;
}

static int cmd_migrate(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("QLVB_MIGRATIONS_DIR");
    if (!dir || !*dir)
        dir = "sql/migrations";
    must(DB_RUN0(&cx, ADMIN_MIGRATIONS_TABLE));
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
        bool done = PQntuples(must(DB_RUN(&cx, ADMIN_MIGRATION_APPLIED, version))) > 0;
        if (done) {
            free(names[i]);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *sql = read_file(path);
        printf("migrate: applying %s\n", names[i]);
        fflush(stdout);
        begin();
        /* a migration file is a script of several statements, run as one */
        if (!db_exec_script(&cx, sql))
            die("%s failed, nothing of it applied: %s", names[i], cx.sqlmsg);
        must(DB_RUN(&cx, ADMIN_MIGRATION_RECORD, version, names[i]));
        commit();
        free(sql);
        free(names[i]);
        applied++;
    }
    printf("migrate: %d applied, %d already there\n", applied, n - applied);
    return apply_functions();
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
    must(DB_RUN(&cx, ADMIN_AGENCY_SEED, f[0], f[1], f[2], f[3], nul_if_empty(f[4]), nul_if_empty(f[5])));
}

static void unit_row(char *f[], int n, int lineno, const char *path)
{
    (void)n;
    must(DB_RUN(&cx, ADMIN_UNIT_SEED, f[0], f[1], f[2], f[3], f[4]));
    (void)lineno; (void)path;
}

/* One dated change of the directory (sql/seed/agency-changes.csv): close
 * (with or without a successor) or rename. Applied once: a change already
 * made is passed over. */
static void agency_change_row(char *f[], int n, int lineno, const char *path)
{
    (void)n;
    PGresult *open = must(DB_RUN(&cx, ADMIN_AGENCY_OPEN, f[1]));
    if (strcmp(f[0], "close") == 0) {
        if (PQntuples(open) == 0)
            return;                                   /* closed already */
        PGresult *res = must(DB_RUN(&cx, ADMIN_AGENCY_CLOSE, f[1], f[2], nul_if_empty(f[3])));
        printf("seed: %s (%s) closed after %s%s%s, %s member(s) moved\n", f[1], PQgetvalue(open, 0, 0), f[2],
               *f[3] ? ", succeeded by " : "", f[3], PQgetvalue(res, 0, 0));
    } else if (strcmp(f[0], "rename") == 0) {
        if (PQntuples(open) == 1 && strcmp(PQgetvalue(open, 0, 0), f[4]) == 0)
            return;                                   /* renamed already */
        must(DB_RUN(&cx, ADMIN_AGENCY_RENAME, f[1], f[2], f[4], f[5]));
        printf("seed: %s renamed %s (%s) from %s\n", f[1], f[4], f[5], f[2]);
    } else {
        die("%s:%d: unknown change %s (close or rename)", path, lineno, f[0]);
    }
}

static const char *seed_dir(void)
{
    const char *d = getenv("QLVB_SEED_DIR");
    return d && *d ? d : "sql/seed";
}

static int cmd_seed_agencies(int argc, char **argv)
{
    (void)argc, (void)argv;
    char path[4096];
    begin();
    snprintf(path, sizeof path, "%s/agencies.csv", seed_dir());
    int a = csv_each(path, 6, agency_row);
    snprintf(path, sizeof path, "%s/units.csv", seed_dir());
    int u = csv_each(path, 5, unit_row);
    snprintf(path, sizeof path, "%s/agency-changes.csv", seed_dir());
    csv_each(path, 6, agency_change_row);
    commit();
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

/* Makes a user's primary membership the one given, in the open transaction. */
static void set_primary_membership(const char *uid, const char *agency, const char *unit_abbr,
                                   const char *position, const char *title, const char *roles_csv)
{
    char roles[512];
    snprintf(roles, sizeof roles, "{%s}", roles_csv);
    for (char *c = roles; *c; c++)
        if (*c == ';')
            *c = ',';
    PGresult *ar = must(DB_RUN(&cx, ADMIN_AGENCY_BY_CODE, agency));
    if (PQntuples(ar) != 1)
        die("no agency with code %s; nothing changed", agency);
    const char *aid = PQgetvalue(ar, 0, 0);
    if (nul_if_empty(unit_abbr) && PQntuples(must(DB_RUN(&cx, ADMIN_UNIT_OF_AGENCY, aid, unit_abbr))) != 1)
        die("agency %s has no unit %s; nothing changed", agency, unit_abbr);
    must(DB_RUN(&cx, ADMIN_PRIMARY_MEMBERSHIP_DROP, uid));
    must(DB_RUN(&cx, ADMIN_PRIMARY_MEMBERSHIP_ADD, uid, aid, nul_if_empty(unit_abbr), position, title, roles));
}

/* The demo accounts follow their seed file: created, or brought back to it. */
static void upsert_user(const char *username, const char *full_name, const char *agency,
                        const char *unit_abbr, const char *position, const char *title,
                        const char *roles_csv, const char *hash)
{
    const char *uid = PQgetvalue(must(DB_RUN(&cx, ADMIN_USER_UPSERT, username, full_name, hash)), 0, 0);
    set_primary_membership(uid, agency, unit_abbr, position, title, roles_csv);
}

static const char *demo_hash;

static void demo_user_row(char *f[], int n, int lineno, const char *path)
{
    (void)n; (void)lineno; (void)path;
    upsert_user(f[0], f[1], f[2], f[3], f[4], f[5], f[6], demo_hash);
    must(DB_RUN(&cx, ADMIN_USER_CONTACT, f[0], f[7], f[8]));
    printf("  %-18s %s — %s\n", f[0], f[1], f[5]);
}

static int cmd_seed_demo(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *allow = getenv("QLVB_DEMO");
    if (!allow || strcmp(allow, "1") != 0)
        die("seed-demo loads accounts with a known password; it runs only with QLVB_DEMO=1 (the local stack sets it)");
    cmd_seed_agencies(0, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-users.csv", seed_dir());
    demo_hash = hash_password("demo123");
    printf("seed: demo accounts:\n");
    begin();
    csv_each(path, 9, demo_user_row);
    commit();
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
    begin();
    PGresult *res = must(DB_RUN(&cx, ADMIN_USER_CREATE, argv[1], argv[2], hash));
    if (PQntuples(res) != 1)
        die("user %s already exists; nothing changed (set-full-name, set-membership and set-password change it)",
            argv[1]);
    set_primary_membership(PQgetvalue(res, 0, 0), argv[3], argc > 7 ? argv[7] : "", argv[4], argv[5], argv[6]);
    commit();
    printf("user %s created\n", argv[1]);
    return 0;
}

static int cmd_set_membership(int argc, char **argv)
{
    if (argc < 6)
        die("usage: set-membership USER AGENCY_CODE POSITION \"Title\" ROLES [UNIT_ABBR]");
    begin();
    PGresult *res = must(DB_RUN(&cx, ADMIN_USER_ID, argv[1]));
    if (PQntuples(res) != 1)
        die("no user %s", argv[1]);
    set_primary_membership(PQgetvalue(res, 0, 0), argv[2], argc > 6 ? argv[6] : "", argv[3], argv[4], argv[5]);
    commit();
    printf("membership of %s changed\n", argv[1]);
    return 0;
}

static int cmd_set_full_name(int argc, char **argv)
{
    if (argc < 3)
        die("usage: set-full-name USER \"Full name\"");
    if (PQntuples(must(DB_RUN(&cx, ADMIN_USER_FULL_NAME_SET, argv[1], argv[2]))) != 1)
        die("no user %s", argv[1]);
    printf("full name of %s changed\n", argv[1]);
    return 0;
}

/* unit-advisory AGENCY_CODE UNIT_ABBR yes|no */
static int cmd_unit_advisory(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[3], "yes") != 0 && strcmp(argv[3], "no") != 0))
        die("usage: unit-advisory AGENCY_CODE UNIT_ABBR yes|no");
    if (PQntuples(must(DB_RUN(&cx, ADMIN_UNIT_ADVISORY_SET, argv[1], argv[2],
                              strcmp(argv[3], "yes") == 0 ? "true" : "false"))) != 1)
        die("open agency %s has no unit %s; nothing changed", argv[1], argv[2]);
    printf("unit %s of %s is %san advisory body\n", argv[2], argv[1], strcmp(argv[3], "yes") == 0 ? "" : "not ");
    return 0;
}

/* agency-confirm-tasks AGENCY_CODE yes|no: the tasks a leader's direction
 * of a document makes in the agency wait for the leader to confirm their
 * completion (yes), or are finished by the holder's report (no, the
 * default); tasks made before keep their rule. */
static int cmd_agency_confirm_tasks(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[2], "yes") != 0 && strcmp(argv[2], "no") != 0))
        die("usage: agency-confirm-tasks AGENCY_CODE yes|no");
    bool yes = strcmp(argv[2], "yes") == 0;
    if (PQntuples(must(DB_RUN(&cx, ADMIN_AGENCY_CONFIRM_TASKS_SET, argv[1], yes ? "true" : "false"))) != 1)
        die("no open agency has code %s; nothing changed", argv[1]);
    printf("the completion of %s's document tasks %s\n", argv[1],
           yes ? "waits for the directing leader's confirmation" : "is final when reported");
    return 0;
}

/* tasks-mark-warned: after tasks were loaded from an older system, marks
 * every open task as warned of every deadline threshold passed by now, so
 * that qlvb-notify's next sweep does not send their holders a flood of what
 * passed before; the thresholds still to come are warned of as usual. */
static int cmd_tasks_mark_warned(int argc, char **argv)
{
    (void)argc, (void)argv;
    long total = 0, n;
    do {                                   /* a batch a call, each its own transaction */
        n = atol(PQgetvalue(must(DB_RUN0(&cx, ADMIN_TASKS_MARK_WARNED)), 0, 0));
        total += n;
        if (n > 0 && total % 10000 < n)
            fprintf(stderr, "tasks-mark-warned: %ld tasks marked\n", total);
    } while (n > 0);
    printf("%ld open tasks marked as warned of every threshold passed by now; nothing was sent\n", total);
    return 0;
}

/* agency-close CODE LAST_DAY [SUCCESSOR_CODE]: the agency closes after its
 * last day; a successor takes its members. */
static int cmd_agency_close(int argc, char **argv)
{
    if (argc < 3)
        die("usage: agency-close CODE LAST_DAY [SUCCESSOR_CODE]   (LAST_DAY as YYYY-MM-DD)");
    begin();
    PGresult *res = must(DB_RUN(&cx, ADMIN_AGENCY_CLOSE, argv[1], argv[2], argc > 3 ? argv[3] : NULL));
    commit();
    printf("%s closed after %s; %s member(s) moved\n", argv[1], argv[2], PQgetvalue(res, 0, 0));
    return 0;
}

/* agency-rename CODE FIRST_DAY "New name" ABBR */
static int cmd_agency_rename(int argc, char **argv)
{
    if (argc < 5)
        die("usage: agency-rename CODE FIRST_DAY \"New name\" ABBR   (FIRST_DAY as YYYY-MM-DD)");
    begin();
    must(DB_RUN(&cx, ADMIN_AGENCY_RENAME, argv[1], argv[2], argv[3], argv[4]));
    commit();
    printf("%s is %s (%s) from %s\n", argv[1], argv[3], argv[4], argv[2]);
    return 0;
}

/* Sign-ins end at once only if the workers' Redis hears of it: without it,
 * nothing is changed. */
static void need_redis(void)
{
    if (!redis_ping(&cx))
        die("cannot reach the workers' Redis (QLVB_REDIS_URL=%s): the account's sign-ins would not end at once; "
            "nothing changed", cfg.redis_url);
}

/* After the commit: the ended sessions (rows of res) into Redis, so that
 * their tokens stop at once; says so when Redis cannot be reached. */
static void mirror_ended(PGresult *res)
{
    int missed = 0;
    for (int i = 0; i < PQntuples(res); i++)
        if (!PQgetisnull(res, i, 0) && !sessions_revoked_mirror(&cx, db_ll(res, i, 0)))
            missed++;
    printf("%d sign-in(s) ended\n", PQntuples(res));
    if (missed)
        fprintf(stderr, "qlvb-admin: Redis could not be told of %d ended sign-in(s); the workers ask PostgreSQL "
                        "until Redis has its state back\n", missed);
}

/* Sets the password; every sign-in of the user ends. */
static int cmd_set_password(int argc, char **argv)
{
    if (argc < 2)
        die("usage: set-password USER  (password on standard input)");
    const char *hash = hash_password(read_password());
    need_redis();
    begin();
    PGresult *res = must(DB_RUN(&cx, ADMIN_PASSWORD_SET, argv[1], hash));
    if (PQntuples(res) != 1)
        die("no user %s", argv[1]);
    PGresult *ended = must(DB_RUN(&cx, ADMIN_USER_SESSIONS_END, argv[1], "password-reset"));
    commit();
    printf("password of %s changed; ", argv[1]);
    mirror_ended(ended);
    return 0;
}

/* Deactivates (ending every sign-in) or reactivates an account. */
static int cmd_set_active(int argc, char **argv, bool active)
{
    if (argc < 2)
        die("usage: %s USER", active ? "reactivate" : "deactivate");
    if (!active)
        need_redis();
    begin();
    if (PQntuples(must(DB_RUN(&cx, ADMIN_USER_ACTIVE_SET, argv[1], active ? "true" : "false"))) != 1)
        die("no user %s", argv[1]);
    PGresult *ended = active ? NULL : must(DB_RUN(&cx, ADMIN_USER_SESSIONS_END, argv[1], "deactivated"));
    commit();
    printf("%s %s", argv[1], active ? "reactivated\n" : "deactivated; ");
    if (ended)
        mirror_ended(ended);
    return 0;
}

static int cmd_deactivate(int argc, char **argv)
{
    return cmd_set_active(argc, argv, false);
}

static int cmd_reactivate(int argc, char **argv)
{
    return cmd_set_active(argc, argv, true);
}

static int cmd_unlock(int argc, char **argv)
{
    if (argc < 2)
        die("usage: unlock USER");
    if (PQntuples(must(DB_RUN(&cx, ADMIN_USER_ID, argv[1]))) != 1)
        die("no user %s", argv[1]);
    must(DB_RUN(&cx, ADMIN_USER_UNLOCK, argv[1]));
    printf("%s unlocked\n", argv[1]);
    return 0;
}

/* Removes a file of the store's folders older than an hour that no files
 * row names (an upload rolled back, or a temporary file a crash left). */
static void collect(const char *path, const char *name, long *collected)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || time(NULL) - st.st_mtime < 3600)
        return;
    size_t n = strlen(name);
    bool tmp = n > 4 && strcmp(name + n - 4, ".tmp") == 0;
    if (!tmp && n == 64 && strspn(name, "0123456789abcdef") == 64 &&
        PQntuples(must(DB_RUN(&cx, ADMIN_FILE_KNOWN, name))) == 1)
        return;
    if (unlink(path) == 0) {
        printf("store-check: removed %s %s\n", tmp ? "temporary file" : "unreferenced file", path);
        (*collected)++;
    }
}

/* Every stored file checked against its hash: a mismatch (or a missing
 * file) is quarantined, a file that matches again is released; then the
 * files nobody references and the temporary files older than an hour go. */
static int cmd_store_check(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("QLVB_STORE_DIR");
    if (!dir || !*dir)
        dir = "var/store";
    long total = db_ll(must(DB_RUN0(&cx, ADMIN_FILES_COUNT)), 0, 0), checked = 0, damaged = 0, collected = 0;
    printf("store-check: %ld files to check in %s\n", total, dir);
    fflush(stdout);
    char after[65] = "";
    for (;;) {
        PGresult *page = must(DB_RUN(&cx, ADMIN_FILES_PAGE, after, "500"));
        if (PQntuples(page) == 0)
            break;
        for (int i = 0; i < PQntuples(page); i++) {
            const char *hex = PQgetvalue(page, i, 0);
            bool ok = store_matches(store_path(&arena, dir, hex), hex), was = db_bool(page, i, 2);
            if (!ok) {
                damaged++;
                printf("store-check: DAMAGED %s (quarantined: refused on download until uploaded again)\n", hex);
                must(DB_RUN(&cx, ADMIN_FILE_QUARANTINE, hex));
            } else if (was) {
                printf("store-check: %s matches its hash again; released\n", hex);
                must(DB_RUN(&cx, ADMIN_FILE_RELEASE, hex));
            }
            snprintf(after, sizeof after, "%s", hex);
            if (++checked % 1000 == 0 || checked == total) {
                printf("store-check: %ld of %ld checked, %ld damaged\n", checked, total, damaged);
                fflush(stdout);
            }
        }
        arena_reset(&arena);
    }
    DIR *top = opendir(dir);
    struct dirent *a, *b, *c;
    while (top && (a = readdir(top))) {
        if (a->d_name[0] == '.')
            continue;
        const char *p1 = arena_sprintf(&arena, "%s/%s", dir, a->d_name);
        DIR *mid = opendir(p1);
        while (mid && (b = readdir(mid))) {
            if (b->d_name[0] == '.')
                continue;
            const char *p2 = arena_sprintf(&arena, "%s/%s", p1, b->d_name);
            DIR *low = opendir(p2);
            while (low && (c = readdir(low))) {
                if (c->d_name[0] == '.')
                    continue;
                collect(arena_sprintf(&arena, "%s/%s", p2, c->d_name), c->d_name, &collected);
            }
            if (low)
                closedir(low);
        }
        if (mid)
            closedir(mid);
    }
    if (top)
        closedir(top);
    printf("store-check: %ld files checked, %ld damaged, %ld unreferenced or temporary files removed\n",
           checked, damaged, collected);
    return damaged ? 3 : 0;
}

/* The registry of problems, a line each: slug, status, SQLSTATE (- when
 * none), Vietnamese title, English title. */
/* The push sends given up (dead letters): id, person, phone, tries, what
 * the provider last said. */
static int cmd_push_dead(int argc, char **argv)
{
    (void)argc, (void)argv;
    PGresult *res = must(DB_RUN0(&cx, ADMIN_PUSH_DEAD));
    for (int i = 0; i < PQntuples(res); i++)
        printf("%s\t%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
               PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
    printf("%d dead letters\n", PQntuples(res));
    return 0;
}

/* Sends a dead letter again (its tries start over). */
static int cmd_push_replay(int argc, char **argv)
{
    if (argc < 2 || strspn(argv[1], "0123456789") != strlen(argv[1]) || !*argv[1])
        die("usage: push-replay SEND_ID (from push-dead-letters)");
    PGresult *res = must(DB_RUN(&cx, ADMIN_PUSH_REPLAY, argv[1]));
    if (PQgetisnull(res, 0, 0))
        die("send %s is no dead letter; nothing changed", argv[1]);
    printf("send %s will be sent again\n", argv[1]);
    return 0;
}

static int cmd_problems(int argc, char **argv)
{
    (void)argc, (void)argv;
    int n;
    const struct problem *all = problems_all(&n);
    for (int i = 0; i < n; i++)
        printf("%s\t%d\t%s\t%s\t%s\n", all[i].slug, all[i].status, all[i].sqlstate ? all[i].sqlstate : "-",
               all[i].title_vi, all[i].title_en);
    return 0;
}

/* Copies an nginx template, putting for each @PROBLEM(slug, english |
 * vietnamese)@ the returns of that registry problem (status and
 * problem+json body, in English when the request prefers it, $qlvb_lang,
 * else in Vietnamese), so that nginx's own refusals are the registry's
 * problems too, in the workers' languages; and for @BODY_MAX@
 * and @FILE_MAX@ the limits the workers read from the same environment. */
static int cmd_nginx_conf(int argc, char **argv)
{
    if (argc < 2)
        die("usage: nginx-conf TEMPLATE  (the result on standard output)");
    if (config_load() != 0)
        exit(2);
    char *t = read_file(argv[1]), *p = t, *at;
    int n;
    const struct problem *all = problems_all(&n);
    while ((at = strchr(p, '@'))) {
        fwrite(p, 1, (size_t)(at - p), stdout);
        if (strncmp(at, "@BODY_MAX@", 10) == 0) {
            printf("%zu", cfg.body_max);
            p = at + 10;
            continue;
        }
        if (strncmp(at, "@FILE_MAX@", 10) == 0) {
            printf("%zu", cfg.file_max);
            p = at + 10;
            continue;
        }
        if (strncmp(at, "@PROBLEM(", 9) != 0) {
            putchar('@');          /* a named location */
            p = at + 1;
            continue;
        }
        char *slug = at + 9, *comma = strchr(slug, ','), *end = strstr(slug, ")@");
        if (!comma || !end || comma > end)
            die("%s: @PROBLEM(slug, detail)@ is not closed", argv[1]);
        *comma = '\0';
        *end = '\0';
        char *detail_en = comma + 1 + strspn(comma + 1, " "), *bar = strstr(detail_en, " | ");
        if (!bar)
            die("%s: @PROBLEM(%s, english | vietnamese)@ needs both details", argv[1], slug);
        *bar = '\0';
        const char *detail_vi = bar + 3;
        const struct problem *pr = NULL;
        for (int i = 0; i < n && !pr; i++)
            if (strcmp(all[i].slug, slug) == 0)
                pr = &all[i];
        if (!pr)
            die("%s: %s is not in the registry of problems", argv[1], slug);
        /* both languages: English when the request prefers it ($qlvb_lang) */
        for (int en = 1; en >= 0; en--) {
            json_t *o = problem_json(pr, en ? detail_en : detail_vi, NULL, "$request_id", NULL, en);
            char *body = json_dumps(o, JSON_COMPACT);
            if (!body || strchr(body, '\''))
                die("%s: the body of %s cannot go into nginx's quotes", argv[1], slug);
            if (en)
                printf("if ($qlvb_lang = en) {\n                return %d '%s';\n            }\n            ", pr->status, body);
            else
                printf("return %d '%s';", pr->status, body);
            free(body);
            json_decref(o);
        }
        p = end + 2;
    }
    fputs(p, stdout);
    free(t);
    return 0;
}

/* Every command: its name, what runs it, and whether it needs the database
 * (connected before it runs, closed after). */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    bool db;
} commands[] = {
    { "migrate", cmd_migrate, true },
    { "seed-agencies", cmd_seed_agencies, true },
    { "seed-demo", cmd_seed_demo, true },
    { "create-user", cmd_create_user, true },
    { "set-membership", cmd_set_membership, true },
    { "set-full-name", cmd_set_full_name, true },
    { "set-password", cmd_set_password, true },
    { "deactivate", cmd_deactivate, true },
    { "reactivate", cmd_reactivate, true },
    { "unlock", cmd_unlock, true },
    { "agency-close", cmd_agency_close, true },
    { "agency-rename", cmd_agency_rename, true },
    { "agency-confirm-tasks", cmd_agency_confirm_tasks, true },
    { "unit-advisory", cmd_unit_advisory, true },
    { "tasks-mark-warned", cmd_tasks_mark_warned, true },
    { "store-check", cmd_store_check, true },
    { "push-dead-letters", cmd_push_dead, true },
    { "push-replay", cmd_push_replay, true },
    { "problems", cmd_problems, false },
    { "nginx-conf", cmd_nginx_conf, false },
};

int main(int argc, char **argv)
{
    const struct command *c = NULL;
    for (size_t i = 0; argc >= 2 && i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            c = &commands[i];
    if (!c) {
        if (argc >= 2)
            fprintf(stderr, "qlvb-admin: unknown command %s\n", argv[1]);
        fprintf(stderr, "usage: qlvb-admin COMMAND ...; the commands:");
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            fprintf(stderr, " %s", commands[i].name);
        fprintf(stderr, "\n(each is described at the top of admin/main.c and in the README)\n");
        return 2;
    }
    if (sodium_init() < 0)
        die("libsodium cannot start");
    app_use(&qlvb_admin);
    if (!c->db)
        return c->run(argc - 1, argv + 1);
    connect_db();
    int rc = c->run(argc - 1, argv + 1);
    db_close();
    arena_destroy(&arena);
    return rc;
}
