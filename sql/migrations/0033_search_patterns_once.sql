-- A search's patterns are computed once per search (search_patterns in
-- sql/functions/search.sql), not once per document: search_matches goes.
DROP FUNCTION IF EXISTS search_matches(text, text);
