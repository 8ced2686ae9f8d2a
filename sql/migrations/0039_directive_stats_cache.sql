-- The office's figures, kept as answered: a period's figures are good while
-- the counts have not changed (their version, bumped in the transaction of
-- every change) and until the next moment the clock changes them (the end
-- of the day, or the next deadline of the day passing). The dashboard then
-- answers most requests with one lookup, whatever the number of tasks.
CREATE TABLE directive_counts_state (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO directive_counts_state DEFAULT VALUES;

CREATE TABLE directive_stats_cache (
    period_from  date NOT NULL,
    period_to    date NOT NULL,
    version      bigint NOT NULL,
    computed_at  timestamptz NOT NULL,    -- good from this moment
    until        timestamptz NOT NULL,    -- to this one
    body         text NOT NULL,           -- the answer as sent
    PRIMARY KEY (period_from, period_to)
);
GRANT SELECT, UPDATE ON directive_counts_state TO qlvb_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON directive_stats_cache TO qlvb_app;
