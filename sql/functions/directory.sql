-- The directory a phone fills its forms from: agencies (with their units
-- and leaders), an agency's members, and the catalogues. Anyone signed in
-- sees every open agency with its units and its leaders' names and
-- positions; other agencies' staff by name, position and unit only; their
-- own agency's members in full (work phone and email, duties).

-- The agencies: open ones, or (p_closed) closed ones too with their last
-- day and who took their place.
CREATE OR REPLACE FUNCTION directory_agencies(p_closed boolean) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('items', coalesce(json_agg(json_build_object(
        'id', a.id, 'code', a.code, 'name', a.name, 'abbr', a.abbr, 'kind', a.kind,
        'parent_code', (SELECT p.code FROM agencies p WHERE p.id = a.parent_id),
        'closed', CASE WHEN a.valid_to IS NULL THEN NULL ELSE json_build_object(
            'last_day', a.valid_to,
            'successor', (SELECT json_build_object('code', s.code, 'name', s.name)
                            FROM agencies s WHERE s.id = agency_now(a.id))) END,
        'units', (SELECT coalesce(json_agg(json_build_object('id', u.id, 'code', u.code, 'name', u.name,
                                                             'abbr', u.abbr, 'advisory', u.advisory)
                                           ORDER BY u.code, u.id), '[]')
                    FROM units u WHERE u.agency_id = a.id),
        -- acts_as_leader: a document may be presented to them (a deputy
        -- acts as a leader unless the agency says otherwise: is_leader)
        'leaders', (SELECT coalesce(json_agg(json_build_object('id', x.id, 'full_name', x.full_name,
                                                               'position', m.position, 'title', m.title,
                                                               'acts_as_leader', m.position = 'leader'
                                                                   OR a.deputies_act_as_leaders)
                                             ORDER BY m.position, x.full_name), '[]')
                      FROM memberships m JOIN users x ON x.id = m.user_id
                     WHERE m.agency_id = a.id AND x.is_active AND m.position IN ('leader', 'deputy_leader')))
        ORDER BY a.valid_to IS NOT NULL, a.code, a.valid_from), '[]'))
      FROM agencies a
     WHERE p_closed OR a.valid_to IS NULL
$$;

-- The members of an open agency (by code) the user may see, filtered by
-- position, duty (role) and unit (NULL: any); NULL when there is no such
-- open agency. Contact details and duties only within one's own agency.
CREATE OR REPLACE FUNCTION directory_members(p_user bigint, p_code text, p_position text, p_role text,
                                             p_unit bigint) RETURNS json LANGUAGE sql STABLE AS $$
    WITH a AS (SELECT id FROM agencies WHERE code = p_code AND valid_to IS NULL),
         mine AS (SELECT EXISTS (SELECT 1 FROM memberships m, a WHERE m.user_id = p_user AND m.agency_id = a.id) AS own)
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM a) THEN NULL ELSE json_build_object('items', coalesce((
        SELECT json_agg(CASE WHEN (SELECT own FROM mine)
                             THEN json_build_object('id', x.id, 'full_name', x.full_name, 'position', m.position,
                                                    'title', m.title, 'unit', un, 'roles', to_json(m.roles),
                                                    'email', x.email, 'phone', x.phone)
                             ELSE json_build_object('id', x.id, 'full_name', x.full_name, 'position', m.position,
                                                    'title', m.title, 'unit', un) END
                        ORDER BY m.position, x.full_name, x.id)
          FROM memberships m JOIN users x ON x.id = m.user_id
          LEFT JOIN LATERAL (SELECT json_build_object('id', u.id, 'name', u.name, 'abbr', u.abbr) AS un
                               FROM units u WHERE u.id = m.unit_id) un ON true
         WHERE m.agency_id = (SELECT id FROM a) AND x.is_active
           AND (p_position IS NULL OR m.position = p_position)
           AND (p_role IS NULL OR p_role = ANY (m.roles))
           AND (p_unit IS NULL OR m.unit_id = p_unit)), '[]')) END
$$;

-- The catalogues: document types, and urgency levels with their labels.
CREATE OR REPLACE FUNCTION directory_catalogues() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'document_types', (SELECT json_agg(json_build_object('code', t.code, 'name', t.name, 'abbr', t.abbr)
                                           ORDER BY t.name) FROM document_types t),
        'urgency_levels', json_build_array(
            json_build_object('level', 0, 'label', 'Thường'),
            json_build_object('level', 1, 'label', 'Khẩn'),
            json_build_object('level', 2, 'label', 'Thượng khẩn'),
            json_build_object('level', 3, 'label', 'Hỏa tốc')))
$$;
