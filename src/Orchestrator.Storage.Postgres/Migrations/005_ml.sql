-- The ML lifecycle (PostgreSQL): dataset versions, the model registry with alias history, and experiment tracking.
-- Lineage columns (lineage_*) name the DAG run and task try that wrote a row; NULL when written outside a run.
-- Tags, params and metrics of a model version are JSON snapshots (read whole, never queried by key); a tracking
-- run's params, tags and metrics have tables of their own so a run's history stays cheap to append to and list.

-- One row per content digest: the same bytes are one version whatever name they were ingested under.
CREATE TABLE dataset_versions (
    digest TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    schema_json TEXT NOT NULL,
    profile_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    lineage_dag_id TEXT,
    lineage_run_id TEXT,
    lineage_task_id TEXT,
    lineage_try BIGINT
);

-- Every name a digest was recorded under, so a dataset lists the versions ingested under it even when the same
-- bytes were first seen under another name.
CREATE TABLE dataset_names (
    name TEXT NOT NULL,
    digest TEXT NOT NULL REFERENCES dataset_versions (digest),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (name, digest)
);

-- last_version is the counter versions are numbered from; updating it is what serializes two registrations.
CREATE TABLE registered_models (
    name TEXT PRIMARY KEY,
    description TEXT,
    tags_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_version BIGINT NOT NULL
);

CREATE TABLE model_versions (
    name TEXT NOT NULL REFERENCES registered_models (name),
    version BIGINT NOT NULL,
    description TEXT,
    tags_json TEXT NOT NULL,
    artifact_digest TEXT NOT NULL,
    signature_json TEXT NOT NULL,
    dataset_digest TEXT,
    tracking_run_id TEXT,
    params_json TEXT NOT NULL,
    metrics_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    lineage_dag_id TEXT,
    lineage_run_id TEXT,
    lineage_task_id TEXT,
    lineage_try BIGINT,
    PRIMARY KEY (name, version)
);
-- A task of a DAG run registers a model once, however often it is retried or re-run.
CREATE UNIQUE INDEX ux_model_versions_lineage ON model_versions (name, lineage_dag_id, lineage_run_id, lineage_task_id)
    WHERE lineage_dag_id IS NOT NULL AND lineage_run_id IS NOT NULL AND lineage_task_id IS NOT NULL;

CREATE TABLE model_aliases (
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);

-- Append-only: every set, move and delete of an alias (to_version NULL: deleted; from_version NULL: newly set).
CREATE TABLE model_alias_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    from_version BIGINT,
    to_version BIGINT,
    moved_at BIGINT NOT NULL,
    moved_by TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX ix_model_alias_history_model ON model_alias_history (name, alias, id);

CREATE TABLE experiments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    tags_json TEXT NOT NULL
);

CREATE TABLE tracking_runs (
    run_id TEXT PRIMARY KEY,
    experiment_id BIGINT NOT NULL REFERENCES experiments (id),
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    lineage_dag_id TEXT,
    lineage_run_id TEXT,
    lineage_task_id TEXT,
    lineage_try BIGINT
);
CREATE INDEX ix_tracking_runs_experiment ON tracking_runs (experiment_id, started_at);

CREATE TABLE tracking_params (
    run_id TEXT NOT NULL REFERENCES tracking_runs (run_id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE TABLE tracking_tags (
    run_id TEXT NOT NULL REFERENCES tracking_runs (run_id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);

-- value is NULL for NaN (as on SQLite, which cannot store a NaN), so both backends read it back the same.
CREATE TABLE tracking_metrics (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES tracking_runs (run_id),
    key TEXT NOT NULL,
    value DOUBLE PRECISION,
    step BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX ix_tracking_metrics_run ON tracking_metrics (run_id, key, step, at, id);

CREATE TABLE tracking_dataset_inputs (
    run_id TEXT NOT NULL REFERENCES tracking_runs (run_id),
    digest TEXT NOT NULL,
    context TEXT NOT NULL,
    PRIMARY KEY (run_id, digest, context)
);

CREATE TABLE tracking_artifacts (
    run_id TEXT NOT NULL REFERENCES tracking_runs (run_id),
    path TEXT NOT NULL,
    digest TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    PRIMARY KEY (run_id, path)
);
