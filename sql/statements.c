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
    { NULL, NULL },
};
