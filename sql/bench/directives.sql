-- make bench: (directive, agency) pairs for the office's dashboard, up to
-- :target in all. Two agencies a directive (a lead and a coordinator), the
-- deadlines spread over 2026 and 2027, a third of the pairs done (on time
-- or late), a tenth awaiting confirmation. A bulk load: the trigger that
-- keeps the counts is set aside and the counts made in one pass after.
\set ON_ERROR_STOP on
ALTER TABLE tasks DISABLE TRIGGER tasks_directive_counts;
SELECT (SELECT id FROM users WHERE username = 'chutich') AS chairman,
       (SELECT id FROM users WHERE username = 'vp.chuyenvien') AS tracker,
       (SELECT id FROM agencies WHERE code = '000.00.45.H19' AND valid_to IS NULL) AS office \gset
SELECT greatest((:target - count(*)) / 2, 0) AS more
  FROM tasks WHERE directive_id IS NOT NULL AND parent_id IS NULL AND user_id IS NULL \gset
INSERT INTO directives (title, content, directed_by, source, meeting, priority, recorded_by, recorded_at)
SELECT 'Chỉ đạo thử số ' || g, 'Nội dung chỉ đạo thử số ' || g,
       :chairman, 'meeting', 'Thông báo kết luận số ' || g,
       CASE WHEN g % 10 = 0 THEN 'urgent' ELSE 'normal' END, :tracker, now()
  FROM generate_series(1, :more) g;
WITH ag AS (SELECT array_agg(id ORDER BY id) a FROM agencies WHERE valid_to IS NULL),
     fresh AS (SELECT d.id, d.title FROM directives d
                WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.directive_id = d.id)),
     pairs AS (SELECT f.id, f.title, r.k, r.role,
                      day_end(DATE '2026-01-01' + ((f.id * 7919 + r.k * 104729) % 730)::int) AS deadline,
                      (f.id * 31 + r.k) % 30 AS fate
                 FROM fresh f CROSS JOIN (VALUES (0, 'main'), (1, 'coordinate')) r(k, role))
INSERT INTO tasks (source, directive_id, title, user_id, agency_id, role, deadline, assigned_by, assigner_agency_id,
                   priority, confirm_required, created_at, reported_at, reported_by, finished_at, percent)
SELECT 'directive', p.id, p.title, NULL,
       ag.a[1 + ((p.id * 13 + p.k * 17) % array_length(ag.a, 1))], p.role, p.deadline,
       :tracker, :office, 'normal', true, p.deadline - interval '30 days',
       CASE WHEN p.fate < 13 THEN p.deadline + CASE WHEN p.fate < 8 THEN interval '-2 days' ELSE interval '3 days' END END,
       CASE WHEN p.fate < 13 THEN :tracker END,
       CASE WHEN p.fate < 10 THEN p.deadline + interval '5 days' END,
       CASE WHEN p.fate < 13 THEN 100 ELSE (p.fate * 3) END
  FROM pairs p CROSS JOIN ag;
SELECT directive_counts_rebuild();
ALTER TABLE tasks ENABLE TRIGGER tasks_directive_counts;
VACUUM ANALYZE tasks, directives, directive_counts, directive_counts_month;
