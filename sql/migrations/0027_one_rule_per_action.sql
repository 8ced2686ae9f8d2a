-- The rule of each document action lives in one function (doc_refusal in
-- sql/functions/workflow.sql), which both the steps and a document's
-- allowed_actions use; the pending review step is found after it, so the
-- old two-argument pending_step goes.
DROP FUNCTION IF EXISTS pending_step(bigint, bigint);
