-- Search: the accent-insensitive form of a text, immutable so that it can
-- be indexed (the generated column documents.search_text uses it).

-- Accent-insensitive search: unaccent() is not immutable, this wrapper is
-- (the dictionary is fixed), so it can be indexed.
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Whether a document's search text holds every word of a query, in any
-- order, accent- and case-insensitively; % and _ are plain characters.
CREATE OR REPLACE FUNCTION search_matches(p_text text, p_query text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM regexp_split_to_table(btrim(lower(f_unaccent(p_query))), '\s+') w
         WHERE w <> ''
           AND p_text NOT LIKE '%' || replace(replace(replace(w, '\', '\\'), '%', '\%'), '_', '\_') || '%')
$$;
