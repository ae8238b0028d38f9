-- Orchestrator metadata store, version 1 (SQLite). Timestamps are Unix milliseconds, UTC.
CREATE TABLE dags (
    dag_id TEXT PRIMARY KEY,
    latest_version TEXT NOT NULL,
    file_path TEXT NOT NULL,
    schedule TEXT,
    is_paused BIGINT NOT NULL DEFAULT 0,
    is_active BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

CREATE TABLE dag_versions (
    dag_id TEXT NOT NULL,
    version TEXT NOT NULL,
    file_path TEXT NOT NULL,
    source TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    PRIMARY KEY (dag_id, version)
);

CREATE TABLE import_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_path TEXT NOT NULL,
    message TEXT NOT NULL,
    line BIGINT,
    col BIGINT,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX ix_import_errors_file ON import_errors (file_path);

CREATE TABLE dag_runs (
    run_id TEXT PRIMARY KEY,
    dag_id TEXT NOT NULL,
    dag_version TEXT NOT NULL,
    logical_date BIGINT NOT NULL,
    run_type TEXT NOT NULL,
    state TEXT NOT NULL,
    conf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    ended_at BIGINT,
    -- Never two runs of one DAG for the same logical date.
    UNIQUE (dag_id, logical_date)
);
CREATE INDEX ix_dag_runs_dag_state ON dag_runs (dag_id, state);

CREATE TABLE task_instances (
    run_id TEXT NOT NULL REFERENCES dag_runs (run_id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    state TEXT NOT NULL,
    try_number BIGINT NOT NULL,
    max_tries BIGINT NOT NULL,
    queue TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    state_reason TEXT,
    next_try_at BIGINT,
    started_at BIGINT,
    ended_at BIGINT,
    PRIMARY KEY (run_id, task_id)
);
CREATE INDEX ix_task_instances_state ON task_instances (state);

-- One row per try: the primary key is what makes a try impossible to record twice.
CREATE TABLE task_tries (
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    try_number BIGINT NOT NULL,
    worker_id TEXT,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    outcome TEXT,
    error TEXT,
    duration_ms BIGINT,
    PRIMARY KEY (run_id, task_id, try_number),
    FOREIGN KEY (run_id, task_id) REFERENCES task_instances (run_id, task_id) ON DELETE CASCADE
);

CREATE TABLE task_state_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX ix_task_state_changes_task ON task_state_changes (run_id, task_id);

CREATE TABLE task_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    try_number BIGINT NOT NULL,
    at BIGINT NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX ix_task_logs_try ON task_logs (run_id, task_id, try_number, id);

CREATE TABLE task_outputs (
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    output TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id)
);
