-- Search: the accent-insensitive form of a text, immutable so that it can
-- be indexed (the generated column documents.search_text uses it).

-- Accent-insensitive search: unaccent() is not immutable, this wrapper is
-- (the dictionary is fixed), so it can be indexed.
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- The LIKE patterns of a query: one per word, in any order, accent- and
-- case-insensitive; % and _ are plain characters. A document matches when
-- its search text is LIKE ALL of them (DOC_SEARCH computes them once).
CREATE OR REPLACE FUNCTION search_patterns(p_query text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg('%' || replace(replace(replace(w, '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
      FROM regexp_split_to_table(btrim(lower(f_unaccent(p_query))), '\s+') w
     WHERE w <> ''
$$;

-- The cursor of a list ordered by id, opaque to clients: base64url (no
-- padding) of "i" and the last id shown (api/cursor.c reads it).
CREATE OR REPLACE FUNCTION cursor_id(p_id bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_id IS NOT NULL THEN rtrim(translate(encode(convert_to('i' || p_id, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') END
$$;
