-- Agencies over time: closing (with or without a successor, which takes its
-- members, the units they work in and its unfinished documents), renaming
-- (a new dated row with the same code takes the members, units, books and
-- unfinished documents), which agency holds a closed one's work now, and
-- which agency a document sent to a closed one reaches now.

-- The agency that holds an agency's work now: itself while open, else the
-- one its closing or renaming passed it to (agencies.current_id), NULL when
-- none. The rights over a document follow it (sql/functions/people.sql).
CREATE OR REPLACE FUNCTION agency_now(p_agency bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN valid_to IS NULL THEN id ELSE current_id END FROM agencies WHERE id = p_agency
$$;

-- Passes the work of a closing agency (p_old) to p_new (NULL: nobody): its
-- unfinished documents move there, and every row whose work it held now
-- points there.
CREATE OR REPLACE FUNCTION agency_work_passes(p_old bigint, p_new bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE agencies SET current_id = p_new WHERE id = p_old OR current_id = p_old;
    UPDATE documents SET agency_id = p_new
     WHERE p_new IS NOT NULL AND agency_id = p_old AND status NOT IN ('done', 'issued', 'recalled');
$$;

-- The open agency an agency's documents reach now: itself while open, else
-- its successor's, followed; NULL when the line ends.
CREATE OR REPLACE FUNCTION agency_current(p_agency bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE a agencies; n int := 0;
BEGIN
    SELECT * INTO a FROM agencies WHERE id = p_agency;
    WHILE a.id IS NOT NULL AND a.valid_to IS NOT NULL AND n < 20 LOOP
        SELECT * INTO a FROM agencies WHERE id = a.successor_id;
        n := n + 1;
    END LOOP;
    RETURN CASE WHEN a.valid_to IS NULL THEN a.id END;
END $$;

-- Closes the open agency p_code after p_last_day; a successor takes its
-- members, in its units of the same abbreviations (the closed agency's
-- units it lacks are made there). The number of members moved.
CREATE OR REPLACE FUNCTION agency_close(p_code text, p_last_day date, p_successor_code text) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE a agencies; s agencies; u units; v_unit bigint; n integer := 0;
BEGIN
    SELECT * INTO a FROM agencies WHERE code = p_code AND valid_to IS NULL FOR UPDATE;
    IF a.id IS NULL THEN
        RAISE EXCEPTION 'no open agency with code %', p_code;
    END IF;
    IF p_last_day > (qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date THEN
        RAISE EXCEPTION 'a closing is recorded once it has happened: % is after today', p_last_day;
    END IF;
    IF p_successor_code IS NOT NULL THEN
        SELECT * INTO s FROM agencies WHERE code = p_successor_code AND valid_to IS NULL;
        IF s.id IS NULL OR s.id = a.id THEN
            RAISE EXCEPTION 'no open agency with code % to succeed %', p_successor_code, p_code;
        END IF;
    END IF;
    UPDATE agencies SET valid_to = p_last_day, successor_id = s.id WHERE id = a.id;
    PERFORM agency_work_passes(a.id, s.id);
    IF s.id IS NOT NULL THEN
        FOR u IN SELECT * FROM units WHERE agency_id = a.id LOOP
            SELECT id INTO v_unit FROM units WHERE agency_id = s.id AND abbr = u.abbr;
            IF v_unit IS NULL THEN
                INSERT INTO units (agency_id, code, name, abbr) VALUES (s.id, u.code, u.name, u.abbr)
                RETURNING id INTO v_unit;
            END IF;
            UPDATE memberships SET unit_id = v_unit WHERE unit_id = u.id;
            -- the moved drafts are of the successor's unit now
            UPDATE documents SET unit_id = v_unit WHERE unit_id = u.id AND agency_id = s.id;
        END LOOP;
        UPDATE memberships SET agency_id = s.id WHERE agency_id = a.id;
        GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
    RETURN n;
END $$;

-- Renames the open agency p_code from p_first_day: a new row with the same
-- code takes its members, units and books; the old row stays for the
-- documents made before. The new row's id.
CREATE OR REPLACE FUNCTION agency_rename(p_code text, p_first_day date, p_name text, p_abbr text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE a agencies; v_new bigint;
BEGIN
    SELECT * INTO a FROM agencies WHERE code = p_code AND valid_to IS NULL FOR UPDATE;
    IF a.id IS NULL THEN
        RAISE EXCEPTION 'no open agency with code %', p_code;
    END IF;
    UPDATE agencies SET valid_to = p_first_day - 1 WHERE id = a.id;
    INSERT INTO agencies (code, name, abbr, kind, parent_id, rollout_phase, valid_from, review_steps,
                          deputies_act_as_leaders, leaders_and_clerks_draft, confirm_document_tasks)
    VALUES (a.code, p_name, p_abbr, a.kind, a.parent_id, a.rollout_phase, p_first_day, a.review_steps,
            a.deputies_act_as_leaders, a.leaders_and_clerks_draft, a.confirm_document_tasks)
    RETURNING id INTO v_new;
    UPDATE agencies SET successor_id = v_new WHERE id = a.id;
    -- the same series of numbers goes on: the books move, the new row's go
    DELETE FROM books WHERE agency_id = v_new;
    UPDATE books SET agency_id = v_new WHERE agency_id = a.id;
    UPDATE units SET agency_id = v_new WHERE agency_id = a.id;
    UPDATE memberships SET agency_id = v_new WHERE agency_id = a.id;
    PERFORM agency_work_passes(a.id, v_new);
    RETURN v_new;
END $$;
