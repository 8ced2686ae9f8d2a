-- sql/functions/problems.sql: problem_raise raises the problem's own
-- SQLSTATE from the one registry (sql/problems.def, loaded into
-- problem_types by migrate) with the detail as the message; a slug outside
-- the registry is an error; every slug an SQL function raises is there.
BEGIN;
SELECT plan(12);

-- The SQLSTATE a call of problem_raise leaves, or NULL if it raised nothing.
CREATE FUNCTION pg_temp.raised(p_slug text, p_detail text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM problem_raise(p_slug, p_detail);
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

-- The slugs named by problem_raise('...') in the live bodies of the
-- functions (those of sql/functions/, as migrate applied them).
CREATE VIEW pg_temp.raised_slugs AS
    SELECT DISTINCT (regexp_matches(p.prosrc, 'problem_raise\(\s*''([^'']+)''', 'g'))[1] AS slug
      FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace;

SELECT set_has(
    'SELECT slug, sqlstate, status FROM problem_types',
    $$VALUES ('document-not-found', 'QP001', 404), ('forbidden', 'QP002', 403),
             ('wrong-state', 'QP003', 409), ('invalid-value', 'QP004', 422)$$,
    'problem_types holds the problems of sql/problems.def with their SQLSTATEs and statuses');

SELECT throws_ok($$SELECT problem_raise('document-not-found', 'no such document')$$,
    'QP001', 'no such document', 'document-not-found raises QP001 with the detail as its message');
SELECT throws_ok($$SELECT problem_raise('forbidden', 'chỉ văn thư được đăng ký')$$,
    'QP002', 'chỉ văn thư được đăng ký', 'forbidden raises QP002 with the detail, Vietnamese intact');
SELECT throws_ok($$SELECT problem_raise('wrong-state', 'already registered')$$,
    'QP003', 'already registered', 'wrong-state raises QP003 with the detail');
SELECT throws_ok($$SELECT problem_raise('invalid-value', 'unknown type_code')$$,
    'QP004', 'unknown type_code', 'invalid-value raises QP004 with the detail');

SELECT is_empty(
    $$SELECT slug, sqlstate, pg_temp.raised(slug, 'detail') FROM problem_types
       WHERE pg_temp.raised(slug, 'detail') IS DISTINCT FROM sqlstate$$,
    'every problem of problem_types raises its own SQLSTATE');

SELECT throws_ok($$SELECT problem_raise('no-such-problem', 'x')$$, 'P0001',
    'problem_raise: no-such-problem is not a problem SQL may raise (sql/problems.def)',
    'a slug outside the registry is an error that names it');
SELECT throws_ok($$SELECT problem_raise('not-found', 'x')$$, 'P0001',
    'problem_raise: not-found is not a problem SQL may raise (sql/problems.def)',
    'a problem of the registry without a SQLSTATE (HTTP only) cannot be raised from SQL');
SELECT throws_ok($$SELECT problem_raise(NULL, 'x')$$, 'P0001', NULL,
    'no slug is an error');

SELECT set_has('SELECT slug FROM pg_temp.raised_slugs',
    $$VALUES ('document-not-found'), ('forbidden'), ('wrong-state'), ('invalid-value')$$,
    'the functions of sql/functions raise document-not-found, forbidden, wrong-state and invalid-value');
SELECT is_empty('SELECT slug FROM pg_temp.raised_slugs EXCEPT SELECT slug FROM problem_types',
    'every slug an SQL function raises is in problem_types');
SELECT is_empty(
    $$SELECT p.proname FROM pg_proc p
       WHERE p.pronamespace = 'public'::regnamespace AND p.proname <> 'problem_raise'
         AND p.prosrc ~* 'ERRCODE\s*=\s*''QP'$$,
    'no function raises a QP SQLSTATE itself: they name problems by slug');

SELECT * FROM finish();
ROLLBACK;
