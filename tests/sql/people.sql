-- sql/functions/people.sql: "leader" is a position (the agency's leader,
-- and its deputies unless agencies.deputies_act_as_leaders is false);
-- roles are duties on top of it (clerk, tracker, admin).
BEGIN;
SELECT plan(12);

\ir lib/common.psql
CREATE FUNCTION pg_temp.agency(p_code text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE v bigint;
BEGIN
    SELECT id INTO STRICT v FROM agencies WHERE code = p_code AND valid_to IS NULL;
    RETURN v;
END $$;
CREATE FUNCTION pg_temp.leaders(p_code text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg(u.username, ' ' ORDER BY u.username)
      FROM agency_leaders(pg_temp.agency(p_code)) l JOIN users u ON u.id = l.user_id
$$;

SELECT is(pg_temp.leaders('000.00.21.H19'), 'stp.giamdoc stp.phogiamdoc',
          'agency_leaders: the director and the deputy of Sở Tư pháp');
SELECT is(pg_temp.leaders('000.00.23.H19'), 'stttt.giamdoc', 'agency_leaders: the director of Sở TT&TT');
SELECT is(pg_temp.leaders('000.00.00.H19'), 'chutich', 'agency_leaders: the chairman of the province''s People''s Committee');
SELECT ok(is_leader(pg_temp.uid('stp.phogiamdoc'), pg_temp.agency('000.00.21.H19')), 'is_leader: a deputy acts as a leader');
SELECT ok(NOT is_leader(pg_temp.uid('stp.truongphong'), pg_temp.agency('000.00.21.H19')), 'is_leader: a head of unit is no leader');
SELECT ok(NOT is_leader(pg_temp.uid('chutich'), pg_temp.agency('000.00.21.H19')),
          'is_leader: the province''s chairman is no leader of a department');
SELECT ok(NOT is_leader(pg_temp.uid('stp.giamdoc'), pg_temp.agency('000.00.23.H19')),
          'is_leader: a director is no leader of another department');

UPDATE agencies SET deputies_act_as_leaders = false WHERE id = pg_temp.agency('000.00.21.H19');
SELECT is(pg_temp.leaders('000.00.21.H19'), 'stp.giamdoc', 'agency_leaders: deputies_act_as_leaders off: the director alone');
SELECT ok(NOT is_leader(pg_temp.uid('stp.phogiamdoc'), pg_temp.agency('000.00.21.H19')),
          'is_leader: deputies_act_as_leaders off: the deputy is no leader');
UPDATE agencies SET deputies_act_as_leaders = true WHERE id = pg_temp.agency('000.00.21.H19');

SELECT ok(has_role(pg_temp.uid('stp.vanthu'), pg_temp.agency('000.00.21.H19'), ARRAY['clerk']),
          'has_role: the clerk has the clerk''s duty in the agency');
SELECT ok(NOT has_role(pg_temp.uid('stp.vanthu'), pg_temp.agency('000.00.23.H19'), ARRAY['clerk']),
          'has_role: not in another agency');
SELECT results_eq(
    $$SELECT acting_agency(pg_temp.uid(u), ARRAY['clerk'])
        FROM unnest(ARRAY['stp.vanthu', 'stttt.vanthu', 'stp.giamdoc']) WITH ORDINALITY x(u, n) ORDER BY n$$,
    ARRAY[pg_temp.agency('000.00.21.H19'), pg_temp.agency('000.00.23.H19'), NULL],
    'acting_agency: a clerk acts in the agency of the duty; a leader has no clerk''s agency');

SELECT * FROM finish();
ROLLBACK;
