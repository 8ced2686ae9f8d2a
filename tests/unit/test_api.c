/* Unit tests of the application's parsers at the edge: body validation
 * against the field tables, the inbox cursor, query decoding, and the
 * mapping of a failed statement to its problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcgiapp.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "../../api/cursor.h"
#include "../../api/schemas.h"
#include "../../api/validate.h"
#include "../../fcgi/arena.h"
#include "../../fcgi/http.h"
#include "../../fcgi/jsonx.h"
#include "../../sql/problems.h"

/* One request over its own arena, as a worker would hand it to a handler;
 * its environment holds only CONTENT_TYPE. */
static struct arena arena;
static struct req req;
static FCGX_Request fx;
static char *env[2];
static char ctype[64];

static int req_setup(void **state)
{
    (void)state;
    arena_init(&arena, 4096, 0);
    memset(&req, 0, sizeof req);
    memset(&fx, 0, sizeof fx);
    req.a = &arena;
    req.c.a = &arena;
    req.c.request_id = "0123abcd";
    req.fx = &fx;
    req.method = "POST";
    req.path = "/api/v1/test";
    sbuf_init(&req.hdrs, &arena, 256);
    sbuf_init(&req.out, &arena, 256);
    snprintf(ctype, sizeof ctype, "CONTENT_TYPE=application/json");
    env[0] = ctype;
    env[1] = NULL;
    fx.envp = env;
    return 0;
}

static int req_teardown(void **state)
{
    (void)state;
    arena_destroy(&arena);
    return 0;
}

static int api_setup(void **state)
{
    (void)state;
    problems_use(problems_registry, PROBLEM_COUNT);
    return 0;
}

static json_t *obj(const char *text)
{
    const char *err = NULL;
    json_t *j = jsonx_parse_strict(&arena, text, strlen(text), &err);
    if (!j)
        fail_msg("test body does not parse: %s: %s", text, err);
    return j;
}

/* Runs the validation of text against fields and returns whether it passed;
 * a refusal must have answered, a pass must not have. */
static bool valid(const struct field *fields, const char *text)
{
    req.lang_en = true;            /* the details below are the English ones */
    req.responded = false;
    req.status = 0;
    req.out.len = 0;
    bool ok = validate_or_answer(&req, obj(text), fields);
    assert_int_equal(ok, !req.responded);
    return ok;
}

/* The answer is the problem+json of slug with status, and its detail
 * contains detail_part (when given). */
static void answered(int status, const char *slug, const char *detail_part)
{
    assert_true(req.responded);
    assert_int_equal(req.status, status);
    assert_string_equal(req.ctype, "application/problem+json");
    json_error_t e;
    json_t *p = json_loadb(req.out.s, req.out.len, 0, &e);
    assert_non_null(p);
    char type[128];
    snprintf(type, sizeof type, "urn:qlvb:problem:%s", slug);
    assert_string_equal(json_string_value(json_object_get(p, "type")), type);
    assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
    assert_string_equal(json_string_value(json_object_get(p, "instance")), "/api/v1/test");
    assert_string_equal(json_string_value(json_object_get(p, "request_id")), "0123abcd");
    const char *detail = json_string_value(json_object_get(p, "detail"));
    assert_non_null(detail);
    if (detail_part && !strstr(detail, detail_part))
        fail_msg("detail \"%s\" does not contain \"%s\"", detail, detail_part);
    json_decref(p);
}

static void refused(const struct field *fields, const char *text, const char *slug, const char *detail_part)
{
    if (valid(fields, text))
        fail_msg("accepted: %s", text);
    answered(400, slug, detail_part);
}

/* A string of n copies of s. */
static const char *rep(const char *s, int n)
{
    struct sbuf b;
    sbuf_init(&b, &arena, 64);
    for (int i = 0; i < n; i++)
        sbuf_puts(&b, s);
    return b.s;
}

/* A JSON list of n ids counting from first. */
static const char *ids(int first, int n)
{
    struct sbuf b;
    sbuf_init(&b, &arena, 64);
    for (int i = 0; i < n; i++)
        sbuf_printf(&b, "%s%d", i ? "," : "", first + i);
    return b.s;
}

#define INCOMING_REQUIRED \
    "\"type_code\":\"QD\",\"subject\":\"Về việc tổ chức Hội nghị\",\"number_notation\":\"123/QĐ-UBND\"," \
    "\"doc_date\":\"2026-11-20\",\"issuer_name\":\"UBND tỉnh\""

/* ---- validation ---- */

static void validate_accepts_good_bodies(void **state)
{
    (void)state;
    assert_true(valid(schema_incoming, "{" INCOMING_REQUIRED "}"));
    assert_true(valid(schema_incoming, "{" INCOMING_REQUIRED ",\"issuer_code\":\"000.00.00.H19\",\"urgency\":3,"
                                       "\"secrecy\":0,\"pages\":9999,\"signer_name\":\"Nguyễn Văn A\","
                                       "\"received_at\":\"2026-11-21T08:30:00+07:00\","
                                       "\"deadline\":\"2026-12-01T17:00:00.250Z\"}"));
    assert_true(valid(schema_draft, "{\"type_code\":\"CV\",\"subject\":\"Góp ý dự thảo\",\"recipients\":["
                                    "{\"agency_code\":\"000.00.21.H19\"},{\"name\":\"Bộ Tư pháp\",\"code\":\"000.00.00.G12\"}]}"));
    assert_true(valid(schema_direct, "{\"note\":\"Giao phòng chủ trì\",\"assignments\":["
                                     "{\"unit_id\":4,\"role\":\"main\",\"deadline\":\"2026-12-01T17:00:00+07:00\"},"
                                     "{\"user_id\":9,\"role\":\"info\"}]}"));
    assert_true(valid(schema_batch, "{\"action\":\"read\",\"item_ids\":[1,2,3]}"));
    assert_true(valid(schema_login, "{\"username\":\"stp.vanthu\",\"password\":\"demo123\",\"device_name\":\"iPhone của Khoa\"}"));
    assert_true(valid(schema_empty, "{}"));
    assert_true(valid(schema_approve, "{}"));
}

static void validate_treats_null_as_absent(void **state)
{
    (void)state;
    assert_true(valid(schema_approve, "{\"note\":null}"));
    assert_true(valid(schema_sign, "{\"signed_file_id\":null}"));
    refused(schema_return, "{\"reason\":null}", "invalid-field", "'reason' is required");
}

static void validate_counts_characters_not_bytes(void **state)
{
    (void)state;
    const char *ok = arena_sprintf(&arena, "{" INCOMING_REQUIRED ",\"signer_name\":\"%s\"}", rep("Đ", 100));
    assert_true(valid(schema_incoming, ok));
    const char *long1 = arena_sprintf(&arena, "{" INCOMING_REQUIRED ",\"signer_name\":\"%s\"}", rep("Đ", 101));
    refused(schema_incoming, long1, "invalid-field", "'signer_name' must be 1 to 100 characters long");
    refused(schema_incoming, "{" INCOMING_REQUIRED ",\"signer_name\":\"\"}", "invalid-field", "'signer_name'");
    refused(schema_recipient, "{\"agency_code\":\"000.00.21.H1\"}", "invalid-field", "exactly 13 characters");
}

static void validate_refuses_missing_and_mistyped_fields(void **state)
{
    (void)state;
    refused(schema_login, "{\"username\":\"stp.vanthu\",\"device_name\":\"d\"}", "invalid-field", "'password' is required");
    refused(schema_login, "{\"username\":5,\"password\":\"x\",\"device_name\":\"d\"}", "invalid-field",
            "'username' must be a string");
    refused(schema_login, "{\"username\":[\"a\"],\"password\":\"x\",\"device_name\":\"d\"}", "invalid-field", "'username'");
    refused(schema_refresh, "{}", "invalid-field", "'refresh_token' is required");
    refused(schema_refresh, "{\"refresh_token\":\"x\",\"user_id\":1}", "unknown-field", "unknown field 'user_id'");
    /* an unknown field is named before a missing one */
    refused(schema_login, "{\"role\":\"admin\"}", "unknown-field", "'role'");
}

/* Every bad field is named with its JSON pointer and a stable code; the
 * details are Vietnamese unless the request prefers English. */
static void validate_points_at_every_bad_field_in_the_requests_language(void **state)
{
    (void)state;
    req.lang_en = false;
    req.responded = false;
    req.out.len = 0;
    assert_false(validate_or_answer(&req, obj("{\"type_code\":7,\"subject\":\"\",\"colour\":\"đỏ\",\"a/b\":1,"
                                              "\"recipients\":[{\"agency_code\":\"x\"},{\"name\":5}]}"),
                                    schema_draft));
    json_t *p = json_loadb(req.out.s, req.out.len, 0, NULL);
    assert_non_null(p);
    json_t *errors = json_object_get(p, "errors");
    const char *want[][2] = {
        { "/colour", "unknown" }, { "/a~1b", "unknown" }, { "/type_code", "type" }, { "/subject", "length" },
        { "/recipients/0/agency_code", "length" }, { "/recipients/1/name", "type" },
    };
    assert_int_equal(json_array_size(errors), sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        json_t *e = json_array_get(errors, i);
        assert_string_equal(json_string_value(json_object_get(e, "pointer")), want[i][0]);
        assert_string_equal(json_string_value(json_object_get(e, "code")), want[i][1]);
        assert_non_null(json_string_value(json_object_get(e, "detail")));
    }
    assert_string_equal(json_string_value(json_object_get(p, "type")), "urn:qlvb:problem:unknown-field");
    assert_non_null(strstr(json_string_value(json_object_get(p, "detail")), "không có trường 'colour'"));
    assert_non_null(strstr(json_string_value(json_object_get(p, "detail")), "5 lỗi khác"));
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Trường không được chấp nhận");
    json_decref(p);
    /* English when asked */
    req.lang_en = true;
    req.out.len = 0;
    assert_false(validate_or_answer(&req, obj("{}"), schema_refresh));
    p = json_loadb(req.out.s, req.out.len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Invalid field");
    assert_string_equal(json_string_value(json_object_get(p, "detail")), "'refresh_token' is required");
    json_decref(p);
}

static void accept_language_picks_english_only_when_it_is_preferred(void **state)
{
    (void)state;
    assert_true(http_prefers_english("en"));
    assert_true(http_prefers_english("en-US,en;q=0.9"));
    assert_true(http_prefers_english("vi;q=0.5, en;q=0.8"));
    assert_false(http_prefers_english(NULL));
    assert_false(http_prefers_english(""));
    assert_false(http_prefers_english("vi"));
    assert_false(http_prefers_english("vi-VN,vi;q=0.9,en;q=0.8"));
    assert_false(http_prefers_english("fr"));
    assert_false(http_prefers_english("eng"));
    assert_false(http_prefers_english("en;q=0"));
    assert_true(http_prefers_english("en ; q=0.9"));
    assert_false(http_prefers_english("en;Q=0.1, vi"));
    assert_true(http_prefers_english("fr, en;q=0.9"));       /* French is not served: English is the best asked */
}

static void validate_refuses_server_owned_fields(void **state)
{
    (void)state;
    refused(schema_incoming, "{" INCOMING_REQUIRED ",\"status\":\"done\"}", "read-only-field", "'status' is set by the server");
    refused(schema_draft, "{\"author_id\":3}", "read-only-field", "'author_id'");
    refused(schema_empty, "{\"book_number\":7}", "read-only-field", "'book_number'");
    refused(schema_empty, "{\"colour\":\"red\"}", "unknown-field", "unknown field 'colour'");
}

static void validate_checks_integer_ranges_and_ids(void **state)
{
    (void)state;
    const char *bad_ints[] = { "\"urgency\":4", "\"urgency\":-1", "\"urgency\":\"1\"", "\"urgency\":1.0",
                               "\"pages\":0", "\"pages\":10000", "\"secrecy\":true" };
    for (size_t i = 0; i < sizeof bad_ints / sizeof *bad_ints; i++)
        refused(schema_incoming, arena_sprintf(&arena, "{" INCOMING_REQUIRED ",%s}", bad_ints[i]),
                "invalid-field", "must be an integer from");
    assert_true(valid(schema_incoming, "{" INCOMING_REQUIRED ",\"urgency\":0,\"pages\":1}"));
    const char *bad_ids[] = { "0", "-3", "\"7\"", "1.5", "true" };
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++)
        refused(schema_present, arena_sprintf(&arena, "{\"leader_id\":%s}", bad_ids[i]), "invalid-field",
                "'leader_id' must be a positive integer id");
    refused(schema_present, "{\"leader_id\":null}", "invalid-field", "'leader_id' is required");
    /* past int64 the strict parser refuses the body before any table */
    const char *err;
    const char *big = "{\"leader_id\":9223372036854775808}";
    assert_null(jsonx_parse_strict(&arena, big, strlen(big), &err));
    assert_true(valid(schema_present, "{\"leader_id\":9223372036854775807}"));
}

static void validate_checks_enums(void **state)
{
    (void)state;
    refused(schema_progress, "{\"action\":\"approve\"}", "invalid-field", "'action' must be one of: read, report, ask, finish");
    refused(schema_progress, "{\"action\":1}", "invalid-field", "one of");
    refused(schema_progress, "{\"action\":\"READ\"}", "invalid-field", "one of");
    assert_true(valid(schema_progress, "{\"action\":\"finish\"}"));
}

static void validate_checks_dates_and_times(void **state)
{
    (void)state;
    const char *bad_dates[] = { "2026-02-30", "2025-02-29", "1900-02-29", "20/11/2026", "2026-1-01", "2026-13-01",
                                "2026-11-20T00:00:00Z", "", "1899-12-31" };
    for (size_t i = 0; i < sizeof bad_dates / sizeof *bad_dates; i++)
        refused(schema_incoming,
                arena_sprintf(&arena, "{\"type_code\":\"QD\",\"subject\":\"s\",\"number_notation\":\"1\","
                                      "\"issuer_name\":\"i\",\"doc_date\":\"%s\"}", bad_dates[i]),
                "invalid-field", "'doc_date' must be a date YYYY-MM-DD");
    assert_true(valid(schema_incoming, "{\"type_code\":\"QD\",\"subject\":\"s\",\"number_notation\":\"1\","
                                       "\"issuer_name\":\"i\",\"doc_date\":\"2024-02-29\"}"));
    assert_true(valid(schema_incoming, "{\"type_code\":\"QD\",\"subject\":\"s\",\"number_notation\":\"1\","
                                       "\"issuer_name\":\"i\",\"doc_date\":\"2000-02-29\"}"));
    const char *bad_times[] = { "2026-11-01T10:00:00", "2026-11-01 10:00:00+07:00", "2026-11-01T24:00:00Z",
                                "2026-11-01T10:60:00Z", "2026-11-01T10:00:00+15:00", "2026-11-01T10:00:00+0700",
                                "2026-11-01T10:00:00.Z", "2026-02-30T10:00:00Z", "2026-11-01T10:00Z" };
    for (size_t i = 0; i < sizeof bad_times / sizeof *bad_times; i++)
        refused(schema_draft,
                arena_sprintf(&arena, "{\"type_code\":\"CV\",\"subject\":\"s\",\"recipients\":[{\"name\":\"n\"}],"
                                      "\"deadline\":\"%s\"}", bad_times[i]),
                "invalid-field", "'deadline' must be an RFC 3339 time with offset");
    const char *good_times[] = { "2026-11-01T10:00:00Z", "2026-11-01t10:00:00z", "2026-11-01T10:00:00.123456-03:30",
                                 "2026-12-31T23:59:60+14:00" };
    for (size_t i = 0; i < sizeof good_times / sizeof *good_times; i++)
        assert_true(valid(schema_draft, arena_sprintf(&arena, "{\"type_code\":\"CV\",\"subject\":\"s\","
                                                              "\"recipients\":[{\"name\":\"n\"}],\"deadline\":\"%s\"}",
                                                      good_times[i])));
}

static void validate_checks_arrays_and_their_items(void **state)
{
    (void)state;
    refused(schema_batch, "{\"action\":\"read\",\"item_ids\":[]}", "invalid-field", "'item_ids' must be a list of 1 to 50 items");
    refused(schema_batch, arena_sprintf(&arena, "{\"action\":\"read\",\"item_ids\":[%s]}", ids(1, 51)),
            "invalid-field", "1 to 50");
    assert_true(valid(schema_batch, arena_sprintf(&arena, "{\"action\":\"read\",\"item_ids\":[%s]}", ids(1, 50))));
    refused(schema_batch, "{\"action\":\"read\",\"item_ids\":7}", "invalid-field", "must be a list");
    refused(schema_batch, "{\"action\":\"read\",\"item_ids\":[1,0]}", "invalid-field", "positive integer ids");
    refused(schema_batch, "{\"action\":\"read\",\"item_ids\":[\"1\"]}", "invalid-field", "positive integer ids");
    refused(schema_draft, "{\"type_code\":\"CV\",\"subject\":\"s\",\"recipients\":[\"Bộ Tư pháp\"]}",
            "invalid-field", "'recipients' items must be objects");
    /* the items' own tables apply, with their own problems */
    refused(schema_draft, "{\"type_code\":\"CV\",\"subject\":\"s\",\"recipients\":[{\"name\":\"n\",\"role\":\"x\"}]}",
            "unknown-field", "'role'");
    refused(schema_draft, "{\"type_code\":\"CV\",\"subject\":\"s\",\"recipients\":[{\"name\":\"\"}]}",
            "invalid-field", "'name'");
    refused(schema_direct, "{\"note\":\"n\",\"assignments\":[{\"user_id\":1}]}", "invalid-field", "'role' is required");
    refused(schema_direct, "{\"note\":\"n\",\"assignments\":[{\"user_id\":0,\"role\":\"main\"}]}", "invalid-field",
            "'user_id' must be a positive integer id");
    refused(schema_direct, "{\"note\":\"n\",\"assignments\":[{\"id\":1,\"role\":\"main\"}]}", "read-only-field", "'id'");
    const char *many = arena_sprintf(&arena, "{\"note\":\"n\",\"assignments\":[%s{\"user_id\":1,\"role\":\"info\"}]}",
                                     rep("{\"user_id\":1,\"role\":\"info\"},", 100));
    refused(schema_direct, many, "invalid-field", "1 to 100 items");
}

static void body_valid_reads_the_body_of_the_request(void **state)
{
    (void)state;
    req.lang_en = true;
    /* no body where nothing is required: an empty object, whatever the type */
    env[0] = NULL;
    req.body = "";
    req.body_len = 0;
    json_t *b = body_valid_or_answer(&req, schema_sign);
    assert_non_null(b);
    assert_int_equal(json_object_size(b), 0);
    assert_false(req.responded);
    /* a body needs application/json */
    req.body = "{}";
    req.body_len = 2;
    assert_null(body_valid_or_answer(&req, schema_empty));
    answered(415, "unsupported-media-type", "application/json");
    snprintf(ctype, sizeof ctype, "CONTENT_TYPE=application/jsonx");
    env[0] = ctype;
    req.responded = false;
    assert_null(body_valid_or_answer(&req, schema_empty));
    answered(415, "unsupported-media-type", NULL);
    snprintf(ctype, sizeof ctype, "CONTENT_TYPE=application/json; charset=utf-8");
    req.responded = false;
    assert_non_null(body_valid_or_answer(&req, schema_empty));
    assert_false(req.responded);
    /* no body where something is required */
    req.body = "";
    req.body_len = 0;
    assert_null(body_valid_or_answer(&req, schema_refresh));
    answered(400, "malformed-json", "empty");
    const char *bad[] = { "[]", "\"x\"", "{\"refresh_token\":", "{\"refresh_token\":\"a\",\"refresh_token\":\"b\"}" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        req.body = bad[i];
        req.body_len = strlen(bad[i]);
        req.responded = false;
        assert_null(body_valid_or_answer(&req, schema_refresh));
        answered(400, "malformed-json", NULL);
    }
    req.body = "{\"refresh_token\":\"61J2D1zsUd4S5QjrXFKIGK7f\"}";
    req.body_len = strlen(req.body);
    req.responded = false;
    b = body_valid_or_answer(&req, schema_refresh);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "refresh_token")), "61J2D1zsUd4S5QjrXFKIGK7f");
    req.body = "{\"refresh_token\":\"\"}";
    req.body_len = strlen(req.body);
    assert_null(body_valid_or_answer(&req, schema_refresh));
    answered(400, "invalid-field", "'refresh_token' must be 1 to 128 characters long");
    /* logout's empty body: any field is one too many */
    req.body = "{\"all\":true}";
    req.body_len = strlen(req.body);
    req.responded = false;
    assert_null(body_valid_or_answer(&req, schema_empty));
    answered(400, "unknown-field", "'all'");
}

static void every_table_is_listed_by_its_schema_name(void **state)
{
    (void)state;
    for (const struct schema *s = schemas; s->name; s++) {
        for (const struct schema *t = s + 1; t->name; t++) {
            assert_string_not_equal(s->name, t->name);
            assert_ptr_not_equal(s->fields, t->fields);
        }
        /* an object inside is listed too */
        for (const struct field *f = s->fields; f->name; f++) {
            if (f->type != F_ARRAY || !f->items)
                continue;
            bool listed = false;
            for (const struct schema *t = schemas; t->name; t++)
                listed |= t->fields == f->items;
            if (!listed)
                fail_msg("%s.%s: its items' table is not in schemas[]", s->name, f->name);
        }
    }
}

/* ---- the inbox cursor ---- */

/* A cursor as the API gives it: base64url, no padding. */
static const char *enc(const char *plain)
{
    size_t n = sodium_base64_encoded_len(strlen(plain), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(&arena, n);
    return sodium_bin2base64(out, n, (const unsigned char *)plain, strlen(plain),
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void cursor_parses_what_the_api_gives(void **state)
{
    (void)state;
    const char *ts, *id;
    assert_true(cursor_parse(&arena, enc("1700000000123456_42"), &ts, &id));
    assert_string_equal(ts, "2023-11-14 22:13:20.123456+00");
    assert_string_equal(id, "42");
    assert_true(cursor_parse(&arena, enc("0_1"), &ts, &id));
    assert_string_equal(ts, "1970-01-01 00:00:00.000000+00");
    assert_string_equal(id, "1");
    assert_true(cursor_parse(&arena, enc("1764633600000007_000123"), &ts, &id));
    assert_string_equal(ts, "2025-12-02 00:00:00.000007+00");
    assert_string_equal(id, "000123");
    /* 18 digits on each side is the most */
    assert_true(cursor_parse(&arena, enc("999999999999999999_999999999999999999"), &ts, &id));
    assert_string_equal(id, "999999999999999999");
    assert_string_equal(ts + strlen(ts) - 10, ".999999+00");
}

static void cursor_refuses_anything_else(void **state)
{
    (void)state;
    const char *bad[] = {
        "", "_", "_1", "1_", "1", "42", "abc_1", "1_abc", "1_2_3", "1__2", "-1_2", "1_-2", "+1_2", "1_+2",
        " 1_2", "1 _2", "1_2 ", "1_2\n", "0x10_2", "1.5_2", "1e6_2",
        "1000000000000000000_1",                /* 19 digits: past what an int64 of micros holds safely */
        "1_1000000000000000000",
        "99999999999999999999999_1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        for (int encoded = 0; encoded < 2; encoded++) {
            const char *ts = "unset", *id = "unset", *c = encoded ? enc(bad[i]) : bad[i];
            if (cursor_parse(&arena, c, &ts, &id))
                fail_msg("cursor \"%s\" (%s) was accepted", c, encoded ? "encoded" : "as it is");
            assert_string_equal(ts, "unset");
            assert_string_equal(id, "unset");
        }
    }
    /* the plain form is not a cursor, nor base64 with padding or '+' '/' */
    const char *ts, *id;
    assert_false(cursor_parse(&arena, "1700000000123456_42", &ts, &id));
    assert_true(cursor_parse(&arena, "MF8x", &ts, &id));                /* "0_1" */
    assert_false(cursor_parse(&arena, "MF8x=", &ts, &id));
}

/* ---- query decoding ---- */

static void query_decodes_values(void **state)
{
    (void)state;
    req.query = "box=approve&q=quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh&lower=caf%c3%a9&plus=a%2Bb&amp=x%26y%3Dz"
                "&pct=100%25&bad=%zz%4&end=%4";
    assert_string_equal(req_query(&req, "box"), "approve");
    assert_string_equal(req_query(&req, "q"), "quyết định");
    assert_string_equal(req_query(&req, "lower"), "café");
    assert_string_equal(req_query(&req, "plus"), "a+b");
    assert_string_equal(req_query(&req, "amp"), "x&y=z");
    assert_string_equal(req_query(&req, "pct"), "100%");
    assert_string_equal(req_query(&req, "bad"), "%zz%4");
    assert_string_equal(req_query(&req, "end"), "%4");
}

static void query_missing_empty_and_repeated(void **state)
{
    (void)state;
    req.query = "unread&urgent=&limit=20&limit=50&cursorx=1&&x=";
    assert_string_equal(req_query(&req, "unread"), "");
    assert_string_equal(req_query(&req, "urgent"), "");
    assert_string_equal(req_query(&req, "limit"), "20");           /* the first one */
    assert_null(req_query(&req, "cursor"));                         /* a name is matched whole */
    assert_string_equal(req_query(&req, "cursorx"), "1");
    assert_null(req_query(&req, "overdue"));
    assert_null(req_query(&req, "lim"));
    assert_string_equal(req_query(&req, "x"), "");
    req.query = "";
    assert_null(req_query(&req, "box"));
    req.query = NULL;
    assert_null(req_query(&req, "box"));
    /* names are compared as sent, not decoded */
    req.query = "b%6Fx=info";
    assert_null(req_query(&req, "box"));
}

/* ---- statement failures as problems ---- */

static const struct problem *of_failure(bool down, const char *sqlstate, const char *msg, const char **detail)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.a = &arena;
    c.db_down = down;
    c.sqlstate = sqlstate;
    c.sqlmsg = msg;
    return problem_of_db_failure(&c, true, detail);
}

static void db_failures_map_to_their_problems(void **state)
{
    (void)state;
    const char *detail = NULL;
    const struct problem *p = of_failure(true, NULL, "the database cannot be reached", &detail);
    assert_string_equal(p->slug, "database-unavailable");
    assert_int_equal(p->status, 503);
    assert_non_null(strstr(detail, "database"));
    /* down wins over whatever SQLSTATE came with it */
    p = of_failure(true, "57P01", "terminating connection", &detail);
    assert_string_equal(p->slug, "database-unavailable");

    /* an SQLSTATE of the registry: that problem, with the function's message */
    p = of_failure(false, "QP001", "no such document", &detail);
    assert_string_equal(p->slug, "document-not-found");
    assert_int_equal(p->status, 404);
    assert_string_equal(detail, "no such document");
    assert_ptr_equal(p, problem_get(PROBLEM_DOCUMENT_NOT_FOUND));
    p = of_failure(false, "QP003", "the document is not waiting for this step", &detail);
    assert_string_equal(p->slug, "wrong-state");
    assert_int_equal(p->status, 409);
    p = of_failure(false, "QP004", "no such document type", &detail);
    assert_string_equal(p->slug, "invalid-value");
    assert_int_equal(p->status, 422);
    for (int i = 0; i < PROBLEM_COUNT; i++) {
        if (!problems_registry[i].sqlstate)
            continue;
        assert_ptr_equal(of_failure(false, problems_registry[i].sqlstate, "m", &detail), &problems_registry[i]);
    }

    /* class 22, a value PostgreSQL refused */
    const char *class22[] = { "22007", "22P02", "22003", "22001", "22023" };
    for (size_t i = 0; i < sizeof class22 / sizeof *class22; i++) {
        p = of_failure(false, class22[i], "invalid input syntax", &detail);
        assert_string_equal(p->slug, "invalid-field");
        assert_int_equal(p->status, 400);
        assert_string_equal(detail, "invalid input syntax");
    }

    /* deadlock, serialization failure, lock and statement timeouts: busy,
     * 503 (the client may retry), never 500 */
    const char *transient[] = { "40P01", "40001", "55P03", "57014" };
    for (size_t i = 0; i < sizeof transient / sizeof *transient; i++) {
        p = of_failure(false, transient[i], "deadlock detected", &detail);
        assert_string_equal(p->slug, "database-busy");
        assert_int_equal(p->status, 503);
    }

    /* anything else: the internal error, without PostgreSQL's words */
    const char *other[] = { "23505", "23503", "42883", "XX000", "QP999", "2", "" };
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        p = of_failure(false, other[i], "secret internals", &detail);
        assert_string_equal(p->slug, "internal-error");
        assert_int_equal(p->status, 500);
        assert_null(strstr(detail, "secret"));
    }
    p = of_failure(false, NULL, NULL, &detail);
    assert_string_equal(p->slug, "internal-error");
}

static void resp_problem_db_answers_the_mapped_problem(void **state)
{
    (void)state;
    req.c.db_down = true;
    resp_problem_db(&req);
    answered(503, "database-unavailable", "cơ sở dữ liệu");
    assert_non_null(strstr(req.hdrs.s, "Retry-After: 5\r\n"));
    req.lang_en = true;
    req.hdrs.len = 0;
    req.hdrs.s[0] = '\0';
    resp_problem_db(&req);
    answered(503, "database-unavailable", "database");
    req.lang_en = false;
    req.c.db_down = false;
    req.c.sqlstate = "QP002";
    req.c.sqlmsg = "only a clerk registers documents";
    req.hdrs.len = 0;
    req.hdrs.s[0] = '\0';
    resp_problem_db(&req);
    answered(403, "forbidden", "only a clerk registers documents");
    assert_null(strstr(req.hdrs.s, "Retry-After"));
}

int test_api_run(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, req_setup, req_teardown)
    const struct CMUnitTest tests[] = {
        T(validate_accepts_good_bodies),
        T(validate_treats_null_as_absent),
        T(validate_counts_characters_not_bytes),
        T(validate_refuses_missing_and_mistyped_fields),
        T(validate_refuses_server_owned_fields),
        T(validate_points_at_every_bad_field_in_the_requests_language),
        T(accept_language_picks_english_only_when_it_is_preferred),
        T(validate_checks_integer_ranges_and_ids),
        T(validate_checks_enums),
        T(validate_checks_dates_and_times),
        T(validate_checks_arrays_and_their_items),
        T(body_valid_reads_the_body_of_the_request),
        T(every_table_is_listed_by_its_schema_name),
        T(cursor_parses_what_the_api_gives),
        T(cursor_refuses_anything_else),
        T(query_decodes_values),
        T(query_missing_empty_and_repeated),
        T(db_failures_map_to_their_problems),
        T(resp_problem_db_answers_the_mapped_problem),
    };
#undef T
    return cmocka_run_group_tests_name("application edge", tests, api_setup, NULL);
}
