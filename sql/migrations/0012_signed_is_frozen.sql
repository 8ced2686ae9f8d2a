-- What was signed is what is issued. At signing the document records the
-- signed file (when one was uploaded) and the file versions the signer saw;
-- from then on its files are frozen (the trigger below refuses a new
-- version), and issuing distributes exactly those. The trigger's body lives
-- in sql/functions/workflow.sql; this first version exists for the trigger.
ALTER TABLE documents ADD COLUMN signed_file_id bigint REFERENCES document_files(id),
                      ADD COLUMN signed_files bigint[];

-- documents signed before this rule: the latest versions of their files
UPDATE documents d
   SET signed_files = (SELECT array_agg(f.id ORDER BY f.id) FROM document_files f
                        WHERE f.document_id = d.id AND f.kind <> 'signed'
                          AND f.version = (SELECT max(g.version) FROM document_files g
                                            WHERE g.document_id = d.id AND g.kind = f.kind AND g.name = f.name)),
       signed_file_id = (SELECT max(f.id) FROM document_files f WHERE f.document_id = d.id AND f.kind = 'signed')
 WHERE d.direction = 'out' AND d.status IN ('signed', 'issued');

CREATE FUNCTION document_files_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NEW;
END $$;
CREATE TRIGGER document_files_frozen BEFORE INSERT OR UPDATE ON document_files
    FOR EACH ROW EXECUTE FUNCTION document_files_frozen();
