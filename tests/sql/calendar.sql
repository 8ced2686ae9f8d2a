-- sql/functions/calendar.sql: working days and deadlines in working days
-- across year ends, Tết, and weekends swapped for working days, each against
-- a date computed by hand from the 2026 announcement (migration 0034) and
-- the provisional 2027 calendar. A deadline of N working days ends at 24:00
-- (Asia/Ho_Chi_Minh) of the Nth working day after the event's day.
BEGIN;
SELECT plan(30);

\ir lib/common.psql

-- which days are worked
SELECT ok(is_working_day('2026-01-09'), 'Friday 9 January 2026 is worked');
SELECT ok(is_working_day('2026-01-10'), 'Saturday 10 January 2026 is worked in exchange for Friday 2 January');
SELECT ok(NOT is_working_day('2026-01-02'), 'Friday 2 January 2026 is off (swapped)');
SELECT ok(NOT is_working_day('2026-01-11'), 'a Sunday rests');
SELECT ok(NOT is_working_day('2026-02-17'), 'Mùng 1 Tết 2026 (Tuesday 17 February) is off');
SELECT ok(NOT is_working_day('2026-04-27'), 'Monday 27 April 2026 is off: Giỗ Tổ fell on Sunday');
SELECT ok(is_working_day('2026-08-22'), 'Saturday 22 August 2026 is worked in exchange for Monday 31 August');
SELECT ok(NOT is_working_day('2026-08-31'), 'Monday 31 August 2026 is off (swapped)');

-- N working days from an event: the event's day never counts
SELECT is(working_day_after('2026-02-13', 1), '2026-02-23'::date,
          'from Friday 13 February 2026, 1 working day: Monday 23 February, past the weekends and Tết 16-20');
SELECT is(working_day_after('2026-02-13', 3), '2026-02-25'::date, '... 3 working days: Wednesday 25 February');
SELECT is(working_day_after('2026-02-16', 1), '2026-02-23'::date, 'an event on a Tết day counts from the first day after Tết');
SELECT is(working_day_after('2025-12-31', 1), '2026-01-05'::date,
          'year end: from Wednesday 31 December 2025, 1 working day is Monday 5 January 2026 (1-2 January off)');
SELECT is(working_day_after('2025-12-31', 5), '2026-01-09'::date, '... 5 working days: Friday 9 January');
SELECT is(working_day_after('2025-12-31', 6), '2026-01-10'::date, '... 6 working days: Saturday 10 January, worked in exchange');
SELECT is(working_day_after('2026-01-09', 1), '2026-01-10'::date, 'from Friday 9 January 2026, the next working day is the swapped Saturday');
SELECT is(working_day_after('2026-08-21', 1), '2026-08-22'::date, 'from Friday 21 August 2026, the next working day is Saturday 22');
SELECT is(working_day_after('2026-08-28', 2), '2026-09-04'::date,
          'from Friday 28 August 2026, 2 working days: Friday 4 September (31 August, 1 and 2 September off)');
SELECT is(working_day_after('2026-04-24', 1), '2026-04-28'::date, 'from Friday 24 April 2026: Tuesday 28 (27 is the compensatory day)');
SELECT is(working_day_after('2026-04-29', 1), '2026-05-04'::date, 'from Wednesday 29 April 2026: Monday 4 May (30 April, 1 May off)');
SELECT is(working_day_after('2026-12-30', 3), '2027-01-05'::date,
          'year end into a provisional year: from Wednesday 30 December 2026, 3 working days is Tuesday 5 January 2027');
SELECT is(working_day_after('2027-02-04', 1), '2027-02-12'::date,
          'Tết 2027 (provisional): from Thursday 4 February, the next working day is Friday 12 February');

-- the deadline's instant: 24:00 local of the last day, the next day's 00:00
SELECT is(working_deadline('2026-02-13 16:00+07', 3), '2026-02-26 00:00+07'::timestamptz,
          'a deadline of 3 working days from 16:00 on 13 February 2026 ends at 24:00 on 25 February');
SELECT is(working_deadline('2026-02-12 16:59:59+00', 1), '2026-02-14 00:00+07'::timestamptz,
          '23:59:59 on 12 February local is still the 12th: 1 working day ends at 24:00 on Friday 13');
SELECT is(working_deadline('2026-02-12 17:00:00+00', 1), '2026-02-24 00:00+07'::timestamptz,
          '00:00 on 13 February local (17:00 UTC the day before) is the 13th: 1 working day ends at 24:00 on Monday 23');
SELECT is(api_deadline_date(working_deadline('2026-02-13 16:00+07', 3)), '2026-02-25'::date,
          'the deadline''s local date is the last working day, not the next day');

-- a calendar-day deadline that ends on a day off moves to the next working day's end
SELECT is(deadline_on_working_day('2026-02-14 17:00+07'), '2026-02-24 00:00+07'::timestamptz,
          'a deadline on Saturday 14 February 2026 ends at 24:00 on Monday 23 February, after Tết');
SELECT is(deadline_on_working_day('2026-02-13 17:00+07'), '2026-02-13 17:00+07'::timestamptz,
          'a deadline within a working day stays as it is');
SELECT is(working_days_between('2026-02-13', '2026-02-25'), 3, 'three working days lie after 13 up to 25 February 2026');

-- a new kind of day off is data: 24 November entered as a holiday moves deadlines
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-11-24', 'holiday', 'Ngày Văn hóa Việt Nam');
SELECT is(working_day_after('2026-11-23', 1), '2026-11-25'::date, 'with 24 November 2026 entered as a holiday, Monday 23 + 1 is Wednesday 25');
INSERT INTO day_kinds (code, name, name_en, working) VALUES ('local_off', 'Nghỉ theo quyết định của tỉnh', 'province day off', false);
INSERT INTO calendar_days (day, kind, name) VALUES ('2026-11-25', 'local_off', 'Nghỉ thử');
SELECT is(working_day_after('2026-11-23', 1), '2026-11-26'::date, 'a kind the province adds counts without a code change');

SELECT * FROM finish();
ROLLBACK;
