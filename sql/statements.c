/* Every SQL statement the workers run, by name. Prepared once per
 * connection by db.c; called with db_exec(r, "name", ...). */
#include "../fcgi/db.h"

const struct db_statement db_statements[] = {
    { "begin", "BEGIN" },
    { "commit", "COMMIT" },
    { "rollback", "ROLLBACK" },
    { "health", "SELECT 1" },

    /* sign-in */
    { "login_throttle_get",
      "SELECT ceil(extract(epoch FROM locked_until - now()))::int"
      "  FROM login_throttle WHERE username = $1 AND locked_until > now()" },
    { "login_ip_failures",
      "SELECT count(DISTINCT username), count(*) FROM login_failures"
      " WHERE ip = $1 AND at > now() - interval '15 minutes'" },
    { "login_user",
      "SELECT id, password_hash FROM users WHERE username = $1 AND is_active" },
    { "login_fail",
      "INSERT INTO login_throttle AS t (username, failures, last_failure_at) VALUES ($1, 1, now())"
      " ON CONFLICT (username) DO UPDATE SET"
      "   failures = CASE WHEN t.last_failure_at < now() - interval '1 day' THEN 1 ELSE t.failures + 1 END,"
      "   last_failure_at = now(),"
      "   locked_until = CASE WHEN t.failures + 1 >= $2::int"
      "     THEN now() + least(interval '1 hour', interval '30 seconds' * power(2, t.failures + 1 - $2::int))"
      "     ELSE t.locked_until END"
      " RETURNING failures" },
    { "login_fail_ip",
      "INSERT INTO login_failures (ip, username) VALUES ($1, $2)" },
    { "login_ok",
      "DELETE FROM login_throttle WHERE username = $1" },
    { "session_new",
      "INSERT INTO sessions (user_id, device_name, ip) VALUES ($1, $2, $3) RETURNING id" },
    { "refresh_new",
      "INSERT INTO refresh_tokens (session_id, token_hash, expires_at)"
      " VALUES ($1, decode($2, 'hex'), now() + make_interval(secs => $3::int))" },
    { "refresh_find",
      "SELECT rt.id, rt.session_id, s.user_id, rt.rotated_at IS NOT NULL,"
      "       rt.expires_at <= now(), s.revoked_at IS NOT NULL"
      "  FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id"
      " WHERE rt.token_hash = decode($1, 'hex') FOR UPDATE OF rt, s" },
    { "refresh_rotate",
      "UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1" },
    { "session_revoke",
      "UPDATE sessions SET revoked_at = now(), revoke_reason = $2"
      " WHERE id = $1 AND revoked_at IS NULL" },
    { "session_state",
      "SELECT s.revoked_at IS NULL AND u.is_active FROM sessions s JOIN users u ON u.id = s.user_id"
      " WHERE s.id = $1 AND s.user_id = $2" },
    { "sessions_recently_revoked",
      "SELECT id, greatest(1, ceil(extract(epoch FROM revoked_at + make_interval(secs => $1::int) - now())))::int"
      "  FROM sessions WHERE revoked_at > now() - make_interval(secs => $1::int)" },
    { "audit",
      "INSERT INTO audit_log (user_id, action, object_type, object_id, ip, request_id, detail)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)" },

    /* me */
    { "me_user",
      "SELECT id, username, full_name, email, phone FROM users WHERE id = $1" },
    { "me_memberships",
      "SELECT a.id, a.code, a.name, a.abbr, u.id, u.name, u.abbr, m.position, m.title,"
      "       array_to_json(m.roles)::text, m.is_primary"
      "  FROM memberships m JOIN agencies a ON a.id = m.agency_id"
      "  LEFT JOIN units u ON u.id = m.unit_id"
      " WHERE m.user_id = $1 ORDER BY m.is_primary DESC, m.id" },

    /* documents: the workflow functions of migration 0003 */
    { "doc_register_incoming", "SELECT doc_register_incoming($1, $2::jsonb)" },
    { "doc_register_received", "SELECT doc_register_received($1, $2)" },
    { "doc_present", "SELECT doc_present($1, $2, $3, $4)" },
    { "doc_direct", "SELECT doc_direct($1, $2, $3, $4::jsonb)" },
    { "doc_progress", "SELECT doc_progress($1, $2, $3, $4)" },
    { "doc_create_draft", "SELECT doc_create_draft($1, $2::jsonb)" },
    { "doc_submit", "SELECT doc_submit($1, $2)" },
    { "doc_approve", "SELECT doc_approve($1, $2, $3)" },
    { "doc_return", "SELECT doc_return($1, $2, $3)" },
    { "doc_sign", "SELECT doc_sign($1, $2, $3)" },
    { "doc_issue", "SELECT doc_issue($1, $2)" },
    { "doc_file_allowed", "SELECT doc_file_allowed($1, $2, $3)" },
    { "doc_version",
      "SELECT version FROM documents WHERE id = $1 AND doc_visible($2, id)" },
    { "doc_detail",
      "SELECT json_build_object("
      " 'id', d.id, 'direction', d.direction, 'status', d.status,"
      " 'agency', json_build_object('id', a.id, 'code', a.code, 'name', a.name, 'abbr', a.abbr),"
      " 'type', json_build_object('code', t.code, 'name', t.name, 'abbr', t.abbr),"
      " 'subject', d.subject, 'urgency', d.urgency, 'secrecy', d.secrecy, 'pages', d.pages,"
      " 'signer_name', d.signer_name, 'doc_date', d.doc_date, 'number_notation', d.number_notation,"
      " 'issuer_name', d.issuer_name, 'issuer_code', d.issuer_code,"
      " 'book', CASE WHEN d.book_id IS NULL THEN NULL ELSE json_build_object("
      "   'id', b.id, 'name', b.name, 'year', d.book_year, 'number', d.book_number) END,"
      " 'received_at', d.received_at, 'deadline', d.deadline, 'direction_note', d.direction_note,"
      " 'author', CASE WHEN au.id IS NULL THEN NULL ELSE json_build_object('id', au.id, 'full_name', au.full_name) END,"
      " 'signed_at', d.signed_at, 'issued_at', d.issued_at, 'source_id', d.source_id,"
      " 'version', d.version, 'created_at', d.created_at, 'updated_at', d.updated_at,"
      " 'history', (SELECT coalesce(json_agg(json_build_object('at', h.at, 'action', h.action,"
      "     'note', h.note, 'actor', CASE WHEN u.id IS NULL THEN NULL"
      "       ELSE json_build_object('id', u.id, 'full_name', u.full_name) END) ORDER BY h.id), '[]')"
      "     FROM document_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.document_id = d.id),"
      " 'assignments', (SELECT coalesce(json_agg(json_build_object('id', x.id, 'role', x.role,"
      "     'status', x.status, 'deadline', x.deadline, 'active', x.active, 'unit_id', x.unit_id,"
      "     'user', json_build_object('id', u.id, 'full_name', u.full_name)) ORDER BY x.id), '[]')"
      "     FROM assignments x JOIN users u ON u.id = x.user_id WHERE x.document_id = d.id),"
      " 'approval_steps', (SELECT coalesce(json_agg(json_build_object('round', s.round, 'seq', s.seq,"
      "     'step', s.step, 'status', s.status, 'note', s.note, 'decided_at', s.decided_at,"
      "     'decided_by', CASE WHEN u.id IS NULL THEN NULL"
      "       ELSE json_build_object('id', u.id, 'full_name', u.full_name) END) ORDER BY s.round, s.seq), '[]')"
      "     FROM approval_steps s LEFT JOIN users u ON u.id = s.decided_by WHERE s.document_id = d.id),"
      " 'files', (SELECT coalesce(json_agg(json_build_object('id', f.id, 'kind', f.kind, 'name', f.name,"
      "     'version', f.version, 'size', fl.size, 'mime', fl.mime, 'sha256', f.sha256,"
      "     'uploaded_at', f.uploaded_at) ORDER BY f.kind, f.name, f.version), '[]')"
      "     FROM document_files f JOIN files fl ON fl.sha256 = f.sha256 WHERE f.document_id = d.id),"
      " 'recipients', (SELECT coalesce(json_agg(json_build_object('agency_code', ra.code,"
      "     'name', coalesce(ra.name, r.external_name), 'external', r.agency_id IS NULL) ORDER BY r.id), '[]')"
      "     FROM document_recipients r LEFT JOIN agencies ra ON ra.id = r.agency_id WHERE r.document_id = d.id)"
      ")::text, d.version"
      " FROM documents d JOIN agencies a ON a.id = d.agency_id JOIN document_types t ON t.code = d.type_code"
      " LEFT JOIN books b ON b.id = d.book_id LEFT JOIN users au ON au.id = d.author_id"
      " WHERE d.id = $1 AND doc_visible($2, d.id)" },
    /* search: accent-insensitive, visible only, newest first; $3 cursor id, $4 limit */
    { "doc_search",
      "WITH page AS ("
      "  SELECT d.id, d.direction, d.status, d.subject, d.number_notation, d.issuer_name, d.urgency,"
      "         d.secrecy, d.doc_date, d.deadline, d.created_at"
      /* from what the user may see, one primary-key lookup each */
      "    FROM (SELECT id FROM visible_documents($1) WHERE $3::bigint IS NULL OR id < $3 OFFSET 0) v"
      "   CROSS JOIN LATERAL (SELECT * FROM documents x WHERE x.id = v.id"
      "     AND ($2::text IS NULL OR x.search_text LIKE '%' || lower(f_unaccent($2)) || '%') LIMIT 1) d"
      "   ORDER BY d.id DESC LIMIT $4::int + 1)"
      " SELECT json_build_object('items', coalesce((SELECT json_agg(p ORDER BY p.id DESC) FROM"
      "   (SELECT * FROM page ORDER BY id DESC LIMIT $4::int) p), '[]'),"
      "  'next_cursor', CASE WHEN (SELECT count(*) FROM page) > $4::int"
      "   THEN (SELECT min(id)::text FROM (SELECT id FROM page ORDER BY id DESC LIMIT $4::int) q) END)::text" },

    /* files */
    { "file_put",
      "INSERT INTO files (sha256, size, mime) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING" },
    { "docfile_add",
      "INSERT INTO document_files (document_id, kind, name, version, sha256, uploaded_by)"
      " SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5 FROM document_files"
      "  WHERE document_id = $1 AND kind = $2 AND name = $3"
      " RETURNING id, version" },
    { "docfile_log",
      "SELECT doc_log($1, $2, 'file-added', NULL, json_build_object('file_id', $3::bigint, 'kind', $4::text,"
      " 'name', $5::text, 'version', $6::int)::jsonb)" },
    { "docfile_get",
      "SELECT f.sha256, fl.mime, f.name, fl.size FROM document_files f JOIN files fl ON fl.sha256 = f.sha256"
      " WHERE f.id = $1 AND doc_visible($2, f.document_id)" },

    /* inbox */
    { "inbox_version", "SELECT inbox_version FROM users WHERE id = $1" },
    { "inbox_touched", "SELECT current_setting('qlvb.touched', true)" },
    /* $1 user, $2 box, $3 unread, $4 urgent, $5 overdue, $6 cursor time, $7 cursor id, $8 limit */
    { "inbox_list",
      "WITH page AS ("
      "  SELECT i.id, i.box, i.reason, i.unread, i.deadline, i.updated_at,"
      "         (i.deadline IS NOT NULL AND i.deadline < now() AND i.box <> 'done') AS overdue,"
      "         d.id AS document_id, d.direction, d.status, d.subject, d.number_notation, d.urgency, d.secrecy,"
      "         coalesce(d.issuer_name, a.name) AS issuer_name"
      "    FROM inbox_items i JOIN documents d ON d.id = i.document_id JOIN agencies a ON a.id = d.agency_id"
      "   WHERE i.user_id = $1 AND i.box = $2"
      "     AND (NOT $3::bool OR i.unread) AND (NOT $4::bool OR d.urgency > 0)"
      "     AND (NOT $5::bool OR (i.deadline < now() AND i.box <> 'done'))"
      "     AND ($6::timestamptz IS NULL OR (i.updated_at, i.id) < ($6::timestamptz, $7::bigint))"
      "   ORDER BY i.updated_at DESC, i.id DESC LIMIT $8::int + 1),"
      " shown AS (SELECT * FROM page ORDER BY updated_at DESC, id DESC LIMIT $8::int)"
      " SELECT json_build_object('items', coalesce((SELECT json_agg(json_build_object("
      "     'id', s.id, 'box', s.box, 'reason', s.reason, 'unread', s.unread, 'deadline', s.deadline,"
      "     'overdue', s.overdue, 'updated_at', s.updated_at, 'document', json_build_object("
      "       'id', s.document_id, 'direction', s.direction, 'status', s.status, 'subject', s.subject,"
      "       'number_notation', s.number_notation, 'urgency', s.urgency, 'secrecy', s.secrecy,"
      "       'issuer_name', s.issuer_name)) ORDER BY s.updated_at DESC, s.id DESC) FROM shown s), '[]'),"
      "  'next_cursor', CASE WHEN (SELECT count(*) FROM page) > $8::int THEN"
      "    (SELECT (extract(epoch FROM updated_at) * 1000000)::bigint::text || '_' || id::text"
      "       FROM shown ORDER BY updated_at, id LIMIT 1) END)::text" },
    { "inbox_counts",
      "SELECT json_object_agg(b.box, json_build_object('total', coalesce(c.total, 0),"
      "  'unread', coalesce(c.unread, 0), 'overdue', coalesce(c.overdue, 0)))::text"
      "  FROM unnest(ARRAY['process', 'approve', 'info', 'done']) b(box)"
      "  LEFT JOIN (SELECT box, count(*) total, count(*) FILTER (WHERE unread) unread,"
      "             count(*) FILTER (WHERE deadline < now() AND box <> 'done') overdue"
      "        FROM inbox_items WHERE user_id = $1 GROUP BY box) c ON c.box = b.box" },
    { "inbox_item",
      "SELECT document_id, box, reason FROM inbox_items WHERE id = $1 AND user_id = $2" },
    { "inbox_read",
      "UPDATE inbox_items SET unread = false WHERE id = $1 AND user_id = $2 AND unread" },

    /* idempotency */
    { "idem_claim",
      "INSERT INTO idempotency_keys (user_id, key, request_sig) VALUES ($1, $2, $3)"
      " ON CONFLICT DO NOTHING RETURNING 1" },
    { "idem_get",
      "SELECT request_sig, status, ctype, body FROM idempotency_keys WHERE user_id = $1 AND key = $2" },
    { "idem_store",
      "UPDATE idempotency_keys SET status = $3, ctype = $4, body = $5 WHERE user_id = $1 AND key = $2" },
    { "idem_release",
      "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL" },
    { NULL, NULL },
};
