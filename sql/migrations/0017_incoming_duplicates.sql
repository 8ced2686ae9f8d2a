-- Incoming registration warns of a document registered before: the same
-- electronic identifier, or the same number and notation from the same
-- issuer in the same year (incoming_duplicate_of in
-- sql/functions/workflow.sql).
ALTER TABLE documents ADD COLUMN external_id text;
CREATE INDEX documents_in_external ON documents (agency_id, external_id) WHERE direction = 'in' AND external_id IS NOT NULL;
CREATE INDEX documents_in_notation ON documents (agency_id, notation_key(number_notation))
 WHERE direction = 'in' AND number_notation IS NOT NULL;
