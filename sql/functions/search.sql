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
