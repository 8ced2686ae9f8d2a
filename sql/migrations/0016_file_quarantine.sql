-- Stored bytes are checked against their hash (qlvb-admin store-check): a
-- file whose bytes do not match is quarantined (refused on download) until
-- the right bytes are uploaded again.
ALTER TABLE files ADD COLUMN quarantined_at timestamptz;
