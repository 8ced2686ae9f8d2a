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
       'Cán bộ', ARRAY['official'], true
  FROM users u
  JOIN LATERAL (SELECT id, agency_id FROM units
                 WHERE agency_id = (SELECT id FROM agencies WHERE kind <> 'province'
                                     ORDER BY id OFFSET (u.id % 69) LIMIT 1)
                 ORDER BY id LIMIT 1) un ON true
 WHERE u.username LIKE 'bench.%'
   AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id);
ANALYZE;
