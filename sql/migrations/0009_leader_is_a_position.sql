-- "Leader" is a position (chức vụ), never a role: a membership's position
-- says where a person stands (leader, deputy_leader, head, deputy_head,
-- official, clerk, admin); its roles are duties given on top of it (clerk:
-- the văn thư's duty, tracker, admin). Deputies act as leaders (reviewing,
-- signing on behalf, receiving directions and directives, ordering recalls)
-- unless their agency says otherwise.
ALTER TABLE agencies ADD COLUMN deputies_act_as_leaders boolean NOT NULL DEFAULT true;

-- a role that named a position becomes that position, then goes
UPDATE memberships SET position = 'leader'
 WHERE 'leader' = ANY (roles) AND position NOT IN ('leader', 'deputy_leader');
UPDATE memberships SET position = 'head'
 WHERE 'head' = ANY (roles) AND position NOT IN ('head', 'deputy_head', 'leader', 'deputy_leader')
   AND unit_id IS NOT NULL;
UPDATE memberships SET roles = array_remove(array_remove(array_remove(roles, 'leader'), 'head'), 'official')
 WHERE roles && ARRAY['leader', 'head', 'official'];
DELETE FROM roles WHERE code IN ('leader', 'head', 'official');
ALTER TABLE memberships ADD CONSTRAINT memberships_roles_are_duties
    CHECK (NOT roles && ARRAY['leader', 'deputy_leader', 'head', 'deputy_head', 'official']);
