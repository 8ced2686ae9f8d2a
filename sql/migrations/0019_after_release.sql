-- After release (Decree 30; DOMAIN.md "After release"): a document issued
-- with an error of content is replaced by a new one of the same form (its
-- own number; the old one marked replaced and linked), an error of form is
-- corrected by a correcting công văn (đính chính, its own number, linked);
-- both are drafts that go through review and signing. A recall (thu hồi)
-- is ordered by the signer or a leader of the agency, with its reason, and
-- carried out by a clerk: the issuer's document is frozen with its number
-- taken (status recalled), the recipients' copies inside the province leave
-- their inboxes and are marked, and a notice goes to those outside.
ALTER TABLE documents DROP CONSTRAINT documents_status_check;
ALTER TABLE documents ADD CONSTRAINT documents_status_check CHECK (status IN (
    'received', 'registered', 'presented', 'directed', 'done',
    'draft', 'in_review', 'returned', 'approved', 'signed', 'issued', 'recalled'));
ALTER TABLE documents
    ADD COLUMN replaces_id bigint REFERENCES documents(id),
    ADD COLUMN corrects_id bigint REFERENCES documents(id),
    ADD COLUMN replaced_by_id bigint REFERENCES documents(id),
    ADD COLUMN recall_status text CHECK (recall_status IN ('ordered', 'recalled')),
    ADD COLUMN recall_reason text,
    ADD COLUMN recall_ordered_by bigint REFERENCES users(id),
    ADD COLUMN recall_ordered_at timestamptz,
    ADD COLUMN recalled_by bigint REFERENCES users(id),
    ADD COLUMN recalled_at timestamptz;

-- what the exchange sends: the document, or the notice of its recall
ALTER TABLE exchange_outbox ADD COLUMN kind text NOT NULL DEFAULT 'send' CHECK (kind IN ('send', 'recall'));
GRANT DELETE ON inbox_items TO qlvb_app;
