-- One task engine. A task is a piece of work one holder carries: a person,
-- or an agency (held by its clerks and leaders), with a role in its group
-- (main: the lead; coordinate; info). It comes from a document's direction
-- (the assignments of before, migrated here), from a directive, or is
-- created directly; a holder may delegate a sub-task down (parent_id).
-- What is stored are facts (the deadline, when completion was reported,
-- when it was confirmed); the status is derived at a moment
-- (task_status in sql/functions/tasks.sql), never stored.
ALTER TABLE assignments RENAME TO tasks;
ALTER SEQUENCE assignments_id_seq RENAME TO tasks_id_seq;
ALTER INDEX assignments_pkey RENAME TO tasks_pkey;
ALTER INDEX assignments_doc RENAME TO tasks_doc;
ALTER INDEX assignments_user RENAME TO tasks_user;
ALTER INDEX assignments_user_all RENAME TO tasks_user_all;

ALTER TABLE tasks ALTER COLUMN document_id DROP NOT NULL;
ALTER TABLE tasks ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE tasks
    ADD COLUMN source           text CHECK (source IN ('document', 'directive', 'direct')),
    ADD COLUMN title            text CHECK (length(title) BETWEEN 1 AND 500),
    ADD COLUMN content          text CHECK (length(content) <= 10000),
    -- the agency holding it: the person's agency, or the agency itself
    ADD COLUMN agency_id        bigint REFERENCES agencies(id),
    ADD COLUMN assigner_agency_id bigint REFERENCES agencies(id),
    -- a coordinator's or an informed holder's task names the lead's
    ADD COLUMN lead_task_id     bigint REFERENCES tasks(id),
    ADD COLUMN parent_id        bigint REFERENCES tasks(id),
    ADD COLUMN priority         text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
    -- completion is reported by the holder and confirmed by the assigner
    ADD COLUMN confirm_required boolean NOT NULL DEFAULT false,
    ADD COLUMN reported_at      timestamptz,
    ADD COLUMN reported_by      bigint REFERENCES users(id),
    ADD COLUMN finished_by      bigint REFERENCES users(id),
    ADD COLUMN percent          smallint NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    ADD COLUMN version          integer NOT NULL DEFAULT 1;

UPDATE tasks t SET source = 'document', agency_id = d.agency_id, assigner_agency_id = d.agency_id
  FROM documents d WHERE d.id = t.document_id;
-- a finish of before was the one-step finish: reported and done at once
UPDATE tasks SET reported_at = finished_at, reported_by = user_id, finished_by = user_id, percent = 100
 WHERE finished_at IS NOT NULL;
-- the rows one direction wrote share its moment: the others name its main one
UPDATE tasks c SET lead_task_id = m.id
  FROM tasks m
 WHERE c.role <> 'main' AND m.role = 'main' AND m.document_id = c.document_id AND m.created_at = c.created_at;

ALTER TABLE tasks ALTER COLUMN source SET NOT NULL;
ALTER TABLE tasks ALTER COLUMN agency_id SET NOT NULL;
ALTER TABLE tasks ALTER COLUMN assigner_agency_id SET NOT NULL;
ALTER TABLE tasks ADD CONSTRAINT tasks_source_document CHECK (source <> 'document' OR document_id IS NOT NULL);
ALTER TABLE tasks ADD CONSTRAINT tasks_titled CHECK (source = 'document' OR title IS NOT NULL);
ALTER TABLE tasks ADD CONSTRAINT tasks_done_reported CHECK (finished_at IS NULL OR reported_at IS NOT NULL);
-- a person's task, or an agency's (held by its clerks and leaders)
ALTER TABLE tasks ADD CONSTRAINT tasks_holder CHECK (user_id IS NOT NULL OR unit_id IS NULL);
CREATE INDEX tasks_agency ON tasks (agency_id) WHERE active;
CREATE INDEX tasks_assigned_by ON tasks (assigned_by, id DESC);
CREATE INDEX tasks_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX tasks_lead ON tasks (lead_task_id) WHERE lead_task_id IS NOT NULL;
CREATE INDEX tasks_user_list ON tasks (user_id, id DESC) WHERE active;

-- What happened to a task, in order: progress with its percent, note and
-- files, completion reported, confirmed or returned, an extension asked,
-- granted or refused, a sub-task delegated.
CREATE TABLE task_events (
    id        bigserial PRIMARY KEY,
    task_id   bigint NOT NULL REFERENCES tasks(id),
    user_id   bigint NOT NULL REFERENCES users(id),
    action    text NOT NULL CHECK (action IN ('created', 'progress', 'completed', 'confirmed', 'returned',
                                              'extension_asked', 'extension_granted', 'extension_refused',
                                              'delegated')),
    percent   smallint CHECK (percent BETWEEN 0 AND 100),
    note      text CHECK (length(note) <= 4000),
    file_ids  bigint[] NOT NULL DEFAULT '{}',
    deadline  timestamptz,              -- an extension's deadline asked or granted
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_events_task ON task_events (task_id, id);

-- An extension asked and not yet decided: at most one per task.
CREATE TABLE task_extensions (
    id          bigserial PRIMARY KEY,
    task_id     bigint NOT NULL REFERENCES tasks(id),
    asked_by    bigint NOT NULL REFERENCES users(id),
    asked_at    timestamptz NOT NULL DEFAULT now(),
    deadline    timestamptz NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
    decided_by  bigint REFERENCES users(id),
    decided_at  timestamptz,
    granted     boolean
);
CREATE UNIQUE INDEX task_extensions_open ON task_extensions (task_id) WHERE decided_at IS NULL;

-- An agency asks its document tasks to be confirmed by the leader who
-- directed (by default the holder's finish is final).
ALTER TABLE agencies ADD COLUMN confirm_document_tasks boolean NOT NULL DEFAULT false;

GRANT SELECT, INSERT, UPDATE ON tasks, task_events, task_extensions TO qlvb_app;
GRANT USAGE ON SEQUENCE task_events_id_seq, task_extensions_id_seq TO qlvb_app;

-- An inbox item refers to a document or a task: a document's item carries
-- the holder's task on it (its status shows in the inbox); a task's own
-- item, for a task that is not a document's, has no document.
ALTER TABLE inbox_items ALTER COLUMN document_id DROP NOT NULL;
ALTER TABLE inbox_items ADD COLUMN task_id bigint REFERENCES tasks(id);
ALTER TABLE inbox_items ADD CONSTRAINT inbox_items_subject CHECK (document_id IS NOT NULL OR task_id IS NOT NULL);
CREATE UNIQUE INDEX inbox_items_user_task ON inbox_items (user_id, task_id) WHERE document_id IS NULL;
CREATE INDEX inbox_items_task ON inbox_items (task_id) WHERE task_id IS NOT NULL;
UPDATE inbox_items i SET task_id = t.id
  FROM tasks t
 WHERE t.document_id = i.document_id AND t.user_id = i.user_id AND t.active;
-- the item's JSON takes the task too (sql/functions/inbox.sql)
DROP FUNCTION IF EXISTS inbox_item_json(inbox_items, documents, text, timestamptz);
-- a task's own item has no document: its changes neither
ALTER TABLE inbox_changes ALTER COLUMN document_id DROP NOT NULL;
