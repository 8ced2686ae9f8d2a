-- Who may see what, as a set: visible_documents(user) is the rule, and
-- doc_visible(user, doc) asks it about one document. PostgreSQL inlines both
-- and pushes the document id into each branch, so a single check is a few
-- index lookups and a search starts from what the user may see.

--  * people named on a document: author, signer, an assignee, anyone it
--    reached through their inbox (approval candidates, clerks it was sent to);
--  * also the clerks and leaders of the agency that owns it (leaders as
--    people/agency_leaders says), or that holds the work of the closed or
--    renamed agency that owns it. (State secrets never
--    enter the system: migration 0018.)
-- Nothing crosses agencies except by distribution, which makes a new
-- document owned by the receiving agency.
CREATE OR REPLACE FUNCTION visible_documents(p_user bigint) RETURNS TABLE (id bigint)
    LANGUAGE sql STABLE AS $$
    SELECT d.id FROM documents d WHERE d.author_id = p_user
    UNION SELECT d.id FROM documents d WHERE d.signed_by = p_user
    UNION SELECT i.document_id FROM inbox_items i WHERE i.user_id = p_user
    UNION SELECT a.document_id FROM tasks a WHERE a.user_id = p_user AND a.document_id IS NOT NULL
                                                AND a.source = 'document'
    UNION SELECT d.id FROM memberships m
           JOIN agencies a ON a.id = m.agency_id
           -- the agency, and those whose work it holds now (closed, renamed)
           JOIN agencies owner ON owner.id = m.agency_id OR owner.current_id = m.agency_id
           JOIN documents d ON d.agency_id = owner.id
          WHERE m.user_id = p_user
            AND (m.roles && ARRAY['clerk'] OR m.position = 'leader'
                 OR (m.position = 'deputy_leader' AND a.deputies_act_as_leaders))
$$;

-- Asks the rule about one document. PL/pgSQL, so that its plan is made
-- once per connection (visible_documents inlined, the document's id pushed
-- into each branch: a few index lookups); an SQL function with a subquery
-- would be planned again at every call.
CREATE OR REPLACE FUNCTION doc_visible(p_user bigint, p_doc bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM visible_documents(p_user) v WHERE v.id = p_doc);
END $$;
