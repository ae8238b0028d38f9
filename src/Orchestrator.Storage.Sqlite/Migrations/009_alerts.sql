-- Alerts (SQLite): an outbox. A callback's alert is written in the transaction of what raised it, a notify task's when
-- it runs; the dispatcher sends the pending ones. dedupe_key makes recording idempotent (a retried batch or a replayed
-- task records one alert). target is the webhook as declared (connection name or URL), never a secret. state is
-- recorded|pending|sent|failed; times are Unix milliseconds.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    target TEXT,
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    dag_id TEXT,
    run_id TEXT,
    task_id TEXT,
    event_id BIGINT,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at BIGINT
);

CREATE INDEX alerts_state ON alerts (state, id);
CREATE INDEX alerts_created ON alerts (created_at, id);
CREATE INDEX alerts_dag ON alerts (dag_id, created_at);
