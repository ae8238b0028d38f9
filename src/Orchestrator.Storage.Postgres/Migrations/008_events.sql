-- Events (Postgres): the outbox of drift, dataset and dagSucceeded events. Emitting records one row, idempotent by
-- dedupe_key (a try that emits, dies and runs again records the event once); the engine's delivery creates the runs
-- of the DAGs the event triggers (run ids derived from the event id, so a delivery interrupted by a restart creates
-- each run once) and then sets delivered_at. Times are Unix milliseconds.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    source_dag_id TEXT,
    source_run_id TEXT,
    source_task_id TEXT,
    delivered_at BIGINT
);

CREATE INDEX ix_events_undelivered ON events (delivered_at, id);
CREATE INDEX ix_events_kind_subject ON events (kind, subject, id);

-- The event a run was created for (runs of type 'event').
ALTER TABLE dag_runs ADD COLUMN event_id BIGINT;
CREATE INDEX ix_dag_runs_event ON dag_runs (event_id);
