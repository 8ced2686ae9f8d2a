-- An Idempotency-Key's answer is stored in the action's own transaction, so
-- that an action that committed always has its answer kept; a claim whose
-- request has not finished holds a lease, and a claim whose worker died is
-- taken over when the lease ends. Keys are kept 24 hours (purged as new ones
-- are written). headers: the answer's own header lines (ETag, ...), replayed
-- with it.
ALTER TABLE idempotency_keys ADD COLUMN claimed_until timestamptz,
                             ADD COLUMN headers text;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
