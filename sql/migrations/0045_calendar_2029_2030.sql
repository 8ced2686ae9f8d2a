-- 2029 and 2030, not yet announced: the fixed dates, Tết and Giỗ Tổ from the
-- Vietnamese (UTC+7) lunar calendar (Tết 13/02/2029 and 02/02/2030, which
-- the Chinese calendar puts a day later; Giỗ Tổ 23/04/2029 and 12/04/2030),
-- the adjacent day of National Day, and a day off after a holiday on a
-- weekend: provisional. A year after the last the calendar holds is
-- unknown, and said to be provisional (calendar.sql).
INSERT INTO calendar_days (day, kind, name, provisional, source) VALUES
    ('2029-01-01', 'holiday',      'Tết Dương lịch',                    true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2029-02-12', 'holiday',      'Tết Nguyên đán (30 Tết)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2029-02-13', 'holiday',      'Tết Nguyên đán (Mùng 1)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2029-02-14', 'holiday',      'Tết Nguyên đán (Mùng 2)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2029-02-15', 'holiday',      'Tết Nguyên đán (Mùng 3)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2029-02-16', 'holiday',      'Tết Nguyên đán (Mùng 4)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2029-04-23', 'holiday',      'Giỗ Tổ Hùng Vương (10/3 âm lịch)',  true, 'lịch âm Việt Nam (UTC+7)'),
    ('2029-04-30', 'holiday',      'Ngày Chiến thắng',                  true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2029-05-01', 'holiday',      'Ngày Quốc tế Lao động',             true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2029-09-02', 'holiday',      'Quốc khánh (Chủ nhật)',             true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2029-09-03', 'holiday',      'Quốc khánh (ngày liền kề)',         true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2029-09-04', 'compensatory', 'Nghỉ bù Quốc khánh',                true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2030-01-01', 'holiday',      'Tết Dương lịch',                    true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2030-02-01', 'holiday',      'Tết Nguyên đán (30 Tết)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2030-02-02', 'holiday',      'Tết Nguyên đán (Mùng 1, thứ Bảy)',  true, 'lịch âm Việt Nam (UTC+7)'),
    ('2030-02-03', 'holiday',      'Tết Nguyên đán (Mùng 2, Chủ nhật)', true, 'lịch âm Việt Nam (UTC+7)'),
    ('2030-02-04', 'holiday',      'Tết Nguyên đán (Mùng 3)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2030-02-05', 'holiday',      'Tết Nguyên đán (Mùng 4)',           true, 'lịch âm Việt Nam (UTC+7)'),
    ('2030-02-06', 'compensatory', 'Nghỉ bù Tết Nguyên đán',            true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2030-02-07', 'compensatory', 'Nghỉ bù Tết Nguyên đán',            true, 'Bộ luật Lao động 2019, Điều 111'),
    ('2030-04-12', 'holiday',      'Giỗ Tổ Hùng Vương (10/3 âm lịch)',  true, 'lịch âm Việt Nam (UTC+7)'),
    ('2030-04-30', 'holiday',      'Ngày Chiến thắng',                  true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2030-05-01', 'holiday',      'Ngày Quốc tế Lao động',             true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2030-09-02', 'holiday',      'Quốc khánh',                        true, 'Bộ luật Lao động 2019, Điều 112'),
    ('2030-09-03', 'holiday',      'Quốc khánh (ngày liền kề)',         true, 'Bộ luật Lao động 2019, Điều 112')
ON CONFLICT (day) DO NOTHING;
