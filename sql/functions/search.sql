-- Search: the accent-insensitive form of a text, immutable so that it can
-- be indexed (the generated column documents.search_text uses it).

-- Accent-insensitive search: unaccent() is not immutable, this wrapper is
-- (the dictionary is fixed), so it can be indexed.
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
