-- Problems raised by SQL functions: each names its problem by the slug of
-- the one registry (sql/problems.def), whose rows migrate loads into
-- problem_types; the SQLSTATE raised is the problem's own, so the API maps
-- it back without guessing.
-- p_detail_vi: the detail in Vietnamese too (the error's DETAIL), for the
-- API to answer in the language the request prefers; without it the
-- English detail is given to both. p_pointer: the JSON pointer of the
-- request's field at fault (/type_code), carried as the error's COLUMN: the
-- answer's errors then point at it.
CREATE OR REPLACE FUNCTION problem_raise(p_slug text, p_detail text, p_detail_vi text DEFAULT NULL,
                                         p_pointer text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE v_state text;
BEGIN
    SELECT sqlstate INTO v_state FROM problem_types WHERE slug = p_slug;
    IF v_state IS NULL THEN
        RAISE EXCEPTION 'problem_raise: % is not a problem SQL may raise (sql/problems.def)', p_slug;
    END IF;
    RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = p_detail, DETAIL = coalesce(p_detail_vi, ''),
                          COLUMN = coalesce(p_pointer, '');
END $$;
