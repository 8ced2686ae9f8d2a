-- Outgoing documents and the copies their issue delivered carry their
-- number and notation apart too (doc_issue sets them from now on), so that
-- a paper original of a copy received electronically is found as a
-- duplicate: the rows issued since 0021 get theirs. And a registration the
-- clerk confirmed as not a duplicate remembers what it looked like.
ALTER TABLE documents DISABLE TRIGGER documents_versions;
UPDATE documents
   SET number = substring(number_notation FROM '^([0-9]+)'),
       notation = coalesce(substring(number_notation FROM '^[0-9]+[/-](.*)$'), number_notation)
 WHERE number_notation IS NOT NULL AND number IS NULL AND notation IS NULL;
ALTER TABLE documents ENABLE TRIGGER documents_versions;
ALTER TABLE documents ADD COLUMN duplicate_of bigint REFERENCES documents(id);

-- Which agency may issue which types as legal normative documents is data:
-- at provincial level the People's Committee issues normative decisions
-- (and the People's Council, when it is in the directory, resolutions);
-- departments and advisory bodies issue none.
ALTER TABLE agencies ADD COLUMN normative_types text[] NOT NULL DEFAULT '{}';
UPDATE agencies SET normative_types = '{QD}' WHERE kind = 'province';
