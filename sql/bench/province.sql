-- A province-sized data set for make bench: 25,000 accounts spread over the
-- 69 agencies and their units, all with the demo password (the hash of an
-- existing demo account is reused: hashing 25,000 times would take minutes).
INSERT INTO users (username, full_name, password_hash)
SELECT 'bench.' || g, 'Cán bộ ' || g,
       (SELECT password_hash FROM users WHERE username = 'stp.chuyenvien')
  FROM generate_series(1, 25000) g
ON CONFLICT (username) DO NOTHING;

INSERT INTO memberships (user_id, agency_id, unit_id, position, title, roles, is_primary)
SELECT u.id, un.agency_id, un.id,
       (ARRAY['official','official','official','head','clerk','leader'])[1 + u.id % 6],
       'Cán bộ', '{}'::text[], true
  FROM users u
  JOIN LATERAL (SELECT id, agency_id FROM units
                 WHERE agency_id = (SELECT id FROM agencies WHERE kind <> 'province'
                                     ORDER BY id OFFSET (u.id % 69) LIMIT 1)
                 ORDER BY id LIMIT 1) un ON true
 WHERE u.username LIKE 'bench.%'
   AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id);
ANALYZE;

-- 200,000 incoming documents across the agencies, each in the inbox of two
-- people of its agency (one to process, one for information).
\echo bench: 200,000 documents and their inbox items
WITH ag AS (SELECT array_agg(id ORDER BY id) ids FROM agencies WHERE kind <> 'province')
INSERT INTO documents (agency_id, direction, status, type_code, subject, urgency, secrecy, doc_date,
                       number_notation, issuer_name, received_at, deadline, author_id, created_at)
SELECT ag.ids[1 + g % 69], 'in', 'directed',
       (ARRAY['CV','QD','KH','TB','BC','GM','TTR'])[1 + g % 7],
       (ARRAY['Công văn về việc triển khai', 'Quyết định phê duyệt', 'Kế hoạch thực hiện',
              'Thông báo kết luận', 'Báo cáo tình hình', 'Giấy mời họp', 'Tờ trình đề nghị'])[1 + g % 7]
         || ' nhiệm vụ số ' || g || ' năm 2026',
       (g % 10 = 0)::int, 0, DATE '2026-01-01' + (g % 320),
       g || '/UBND-VP', 'Ủy ban nhân dân tỉnh Đồng Nai',
       now() - make_interval(mins => g), now() + make_interval(days => (g % 30) - 5),
       NULL, now() - make_interval(mins => g)
  FROM generate_series(1, 200000) g, ag;

WITH au AS (SELECT agency_id, array_agg(user_id ORDER BY user_id) us FROM memberships GROUP BY agency_id)
INSERT INTO inbox_items (user_id, document_id, box, reason, unread, deadline, updated_at)
SELECT au.us[1 + (d.id / 69) % array_length(au.us, 1)], d.id,
       CASE WHEN d.id % 5 = 0 THEN 'done' ELSE 'process' END, 'main',
       d.id % 3 = 0, d.deadline, d.created_at
  FROM documents d JOIN au ON au.agency_id = d.agency_id
 WHERE d.number_notation LIKE '%/UBND-VP'
ON CONFLICT DO NOTHING;
ANALYZE;
