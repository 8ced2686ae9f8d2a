-- An inbox item's JSON is built from the item, its document and its
-- agency's name passed in (sql/functions/inbox.sql), so that a page is one
-- query: the version that looked the document up per item goes.
DROP FUNCTION IF EXISTS inbox_item_json(inbox_items, timestamptz);
