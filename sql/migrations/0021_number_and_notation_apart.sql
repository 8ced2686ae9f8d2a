-- An incoming document's number and notation are kept apart, as written
-- (15 and QĐ-UBND, 15 and 2025/QĐ-UBND, 80 and NQ/TW), besides the whole
-- number_notation; existing rows are split at the first separator after
-- the leading digits (doc_register_incoming in sql/functions/workflow.sql
-- does the same for new ones).
ALTER TABLE documents ADD COLUMN number text, ADD COLUMN notation text;
-- nothing an inbox shows changes: the row trigger that bumps inbox versions
-- at commit would only queue an event per row
ALTER TABLE documents DISABLE TRIGGER documents_versions;
UPDATE documents
   SET number = substring(number_notation FROM '^([0-9]+)'),
       notation = coalesce(substring(number_notation FROM '^[0-9]+[/-](.*)$'), number_notation)
 WHERE number_notation IS NOT NULL;
ALTER TABLE documents ENABLE TRIGGER documents_versions;
