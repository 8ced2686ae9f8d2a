-- The working-day calendar (Labour Code 2019 art. 112; Civil Code 2015 art.
-- 147-148): days off on working days and Saturdays worked in exchange, as
-- rows, so that a new kind of holiday (24 November awaits the Labour Code's
-- amendment) is data. Monday to Friday work unless a row says otherwise; a
-- Saturday or Sunday rests unless a row of a working kind says so. The
-- functions that count on it are in sql/functions/calendar.sql.

-- What a row of the calendar is; a province may add its own kinds.
CREATE TABLE day_kinds (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{1,30}$'),
    name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_en  text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    working  boolean NOT NULL          -- a day worked (a swapped Saturday), or a day off
);
INSERT INTO day_kinds (code, name, name_en, working) VALUES
    ('holiday',      'Nghỉ lễ, Tết',                 'public holiday',              false),
    ('compensatory', 'Nghỉ bù',                      'compensatory day off',        false),
    ('swap_off',     'Nghỉ hoán đổi',                'day off swapped for a Saturday', false),
    ('worked',       'Làm việc bù (ngày hoán đổi)',  'Saturday worked in exchange', true);

CREATE TABLE calendar_days (
    day         date PRIMARY KEY,
    kind        text NOT NULL REFERENCES day_kinds(code),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- computed from the fixed and lunar dates until the year's official
    -- announcement is entered
    provisional boolean NOT NULL DEFAULT false,
    source      text CHECK (length(source) <= 500),
    updated_by  bigint REFERENCES users(id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The province's calendar has a version: an answer that computed a deadline
-- from it names the version, and caches revalidate on it.
CREATE TABLE calendar_state (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL DEFAULT 1
);
INSERT INTO calendar_state DEFAULT VALUES;

INSERT INTO roles (code, name) VALUES ('calendar', 'Quản lý lịch nghỉ lễ, ngày làm việc')
ON CONFLICT (code) DO NOTHING;

-- 2026, as announced for the public sector.
INSERT INTO calendar_days (day, kind, name, provisional, source) VALUES
    ('2026-01-01', 'holiday',      'Tết Dương lịch',                                  false, 'Bộ luật Lao động 2019, Điều 112'),
    ('2026-01-02', 'swap_off',     'Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01)', false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-01-10', 'worked',       'Làm việc bù cho ngày 02/01',                      false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-02-16', 'holiday',      'Tết Nguyên đán (30 Tết)',                         false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-02-17', 'holiday',      'Tết Nguyên đán (Mùng 1)',                         false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-02-18', 'holiday',      'Tết Nguyên đán (Mùng 2)',                         false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-02-19', 'holiday',      'Tết Nguyên đán (Mùng 3)',                         false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-02-20', 'holiday',      'Tết Nguyên đán (Mùng 4)',                         false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-04-26', 'holiday',      'Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật)',      false, 'Bộ luật Lao động 2019, Điều 112'),
    ('2026-04-27', 'compensatory', 'Nghỉ bù Giỗ Tổ Hùng Vương',                       false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-04-30', 'holiday',      'Ngày Chiến thắng',                                false, 'Bộ luật Lao động 2019, Điều 112'),
    ('2026-05-01', 'holiday',      'Ngày Quốc tế Lao động',                           false, 'Bộ luật Lao động 2019, Điều 112'),
    ('2026-08-22', 'worked',       'Làm việc bù cho ngày 31/08',                      false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-08-31', 'swap_off',     'Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/08)', false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-09-01', 'holiday',      'Quốc khánh (ngày liền kề)',                       false, 'Thông báo lịch nghỉ năm 2026'),
    ('2026-09-02', 'holiday',      'Quốc khánh',                                      false, 'Bộ luật Lao động 2019, Điều 112');

-- 2027 and 2028, not yet announced: the fixed dates, Tết and Giỗ Tổ from the
-- Vietnamese (UTC+7) lunar calendar (Tết 06/02/2027 and 26/01/2028; Giỗ Tổ
-- 16/04/2027 and 04/04/2028), the adjacent day of National Day, and a day
-- off after a holiday that falls on a weekend: provisional until the
-- announcement is entered (PUT /api/v1/calendar/days/{date}).
INSERT INTO calendar_days (day, kind, name, provisional, source) VALUES
    ('2027-01-01', 'holiday',      'Tết Dương lịch',                    true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2027-02-05', 'holiday',      'Tết Nguyên đán (30 Tết)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2027-02-06', 'holiday',      'Tết Nguyên đán (Mùng 1)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2027-02-07', 'holiday',      'Tết Nguyên đán (Mùng 2)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2027-02-08', 'holiday',      'Tết Nguyên đán (Mùng 3)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2027-02-09', 'holiday',      'Tết Nguyên đán (Mùng 4)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2027-02-10', 'compensatory', 'Nghỉ bù Tết Nguyên đán (Mùng 1)',   true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2027-02-11', 'compensatory', 'Nghỉ bù Tết Nguyên đán (Mùng 2)',   true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2027-04-16', 'holiday',      'Giỗ Tổ Hùng Vương (10/3 âm lịch)',  true, 'lịch âm Việt Nam (UTC+7)'),
    ('2027-04-30', 'holiday',      'Ngày Chiến thắng',                  true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2027-05-01', 'holiday',      'Ngày Quốc tế Lao động (thứ Bảy)',   true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2027-05-03', 'compensatory', 'Nghỉ bù Ngày Quốc tế Lao động',     true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2027-09-02', 'holiday',      'Quốc khánh',                        true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2027-09-03', 'holiday',      'Quốc khánh (ngày liền kề)',         true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2028-01-01', 'holiday',      'Tết Dương lịch (thứ Bảy)',          true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2028-01-03', 'compensatory', 'Nghỉ bù Tết Dương lịch',            true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2028-01-25', 'holiday',      'Tết Nguyên đán (30 Tết)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2028-01-26', 'holiday',      'Tết Nguyên đán (Mùng 1)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2028-01-27', 'holiday',      'Tết Nguyên đán (Mùng 2)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2028-01-28', 'holiday',      'Tết Nguyên đán (Mùng 3)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2028-01-29', 'holiday',      'Tết Nguyên đán (Mùng 4, thứ Bảy)',  true, 'lịch âm Việt Nam (UTC+7)'),
    ('2028-01-31', 'compensatory', 'Nghỉ bù Tết Nguyên đán',            true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2028-04-04', 'holiday',      'Giỗ Tổ Hùng Vương (10/3 âm lịch)',  true, 'lịch âm Việt Nam (UTC+7)'),
    ('2028-04-30', 'holiday',      'Ngày Chiến thắng (Chủ nhật)',       true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2028-05-01', 'holiday',      'Ngày Quốc tế Lao động',             true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2028-05-02', 'compensatory', 'Nghỉ bù Ngày Chiến thắng',          true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2028-09-01', 'holiday',      'Quốc khánh (ngày liền kề)',         true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2028-09-02', 'holiday',      'Quốc khánh (thứ Bảy)',              true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2028-09-04', 'compensatory', 'Nghỉ bù Quốc khánh',                true, 'Bộ luật Lao động 2019, Điều 111');

GRANT SELECT ON day_kinds, calendar_days, calendar_state TO qlvb_app;
GRANT INSERT, UPDATE, DELETE ON calendar_days TO qlvb_app;
GRANT UPDATE ON calendar_state TO qlvb_app;
