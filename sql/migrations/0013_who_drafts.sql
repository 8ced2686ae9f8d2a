-- Drafting is for officials and heads of units of the agency a person acts
-- for; leaders and clerks draft only where their agency allows it (off by
-- default); the technical administrator never (doc_create_draft).
ALTER TABLE agencies ADD COLUMN leaders_and_clerks_draft boolean NOT NULL DEFAULT false;
