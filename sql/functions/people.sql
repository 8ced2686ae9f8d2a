-- Who a person is in an agency. "Leader" is a position: the head of the
-- agency (leader), and its deputies (deputy_leader) unless the agency says
-- otherwise (agencies.deputies_act_as_leaders). Roles are duties given on
-- top of a position: clerk (văn thư), tracker, admin. An agency that closed
-- or was renamed is asked about through the agency that holds its work now
-- (agency_now in sql/functions/agencies.sql).

-- Whether an account may sign in and receive work (a deactivated one may not).
CREATE OR REPLACE FUNCTION user_active(p_user bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT is_active FROM users WHERE id = p_user), false)
$$;

-- The active clerks of an agency: its queue.
CREATE OR REPLACE FUNCTION agency_clerks(p_agency bigint) RETURNS TABLE (user_id bigint)
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT m.user_id FROM memberships m
     WHERE m.agency_id = agency_now(p_agency) AND m.roles && ARRAY['clerk'] AND user_active(m.user_id)
$$;

-- The people who act as the agency's leaders.
CREATE OR REPLACE FUNCTION agency_leaders(p_agency bigint) RETURNS TABLE (user_id bigint)
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT m.user_id FROM memberships m JOIN agencies a ON a.id = m.agency_id
     WHERE m.agency_id = agency_now(p_agency) AND user_active(m.user_id)
       AND (m.position = 'leader' OR (m.position = 'deputy_leader' AND a.deputies_act_as_leaders))
$$;

CREATE OR REPLACE FUNCTION is_leader(p_user bigint, p_agency bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM memberships m JOIN agencies a ON a.id = m.agency_id
                    WHERE m.user_id = p_user AND m.agency_id = agency_now(p_agency)
                      AND (m.position = 'leader' OR (m.position = 'deputy_leader' AND a.deputies_act_as_leaders)))
$$;

-- A duty (role) in the agency.
CREATE OR REPLACE FUNCTION has_role(p_user bigint, p_agency bigint, p_roles text[]) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM memberships
                    WHERE user_id = p_user AND agency_id = agency_now(p_agency) AND roles && p_roles)
$$;

-- The agency in which a user acts with one of the roles (their first such membership).
CREATE OR REPLACE FUNCTION acting_agency(p_user bigint, p_roles text[]) RETURNS bigint
    LANGUAGE sql STABLE AS $$
    SELECT agency_id FROM memberships WHERE user_id = p_user AND roles && p_roles
     ORDER BY is_primary DESC, id LIMIT 1
$$;

