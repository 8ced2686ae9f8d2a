-- A daemon records what became of a send only while it still holds its
-- lease (notify_claim gives the lease, notify_result checks it); the
-- directives' lists show an agency its own part only (directive_item_json
-- takes the reader).
DROP FUNCTION IF EXISTS notify_claim(integer, integer);
DROP FUNCTION IF EXISTS notify_result(bigint, text, text, integer, integer);
DROP FUNCTION IF EXISTS directive_item_json(directives, timestamptz);
