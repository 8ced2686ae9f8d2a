-- The office's figures at any size: beside the counts per deadline day, the
-- same counts per deadline month, kept by the same trigger. A month wholly
-- before the current one is folded in whole (its open pairs are overdue),
-- one wholly after it too (in progress); only the current month and the
-- partial months at a period's edges are read by day. The rows a request
-- reads stay bounded by the agencies and the months, whatever the tasks.
CREATE TABLE directive_counts_month (
    agency_id      bigint NOT NULL REFERENCES agencies(id),
    state          text NOT NULL CHECK (state IN ('open', 'reported', 'done_on_time', 'done_late')),
    deadline_month date NOT NULL CHECK (extract(day FROM deadline_month) = 1),
    n              integer NOT NULL CHECK (n >= 0),
    PRIMARY KEY (agency_id, deadline_month, state)
);
INSERT INTO directive_counts_month (agency_id, state, deadline_month, n)
SELECT agency_id, state, date_trunc('month', deadline_day)::date, sum(n)
  FROM directive_counts GROUP BY 1, 2, 3;
CREATE INDEX directive_counts_day ON directive_counts (deadline_day);
GRANT SELECT, INSERT, UPDATE ON directive_counts_month TO qlvb_app;
