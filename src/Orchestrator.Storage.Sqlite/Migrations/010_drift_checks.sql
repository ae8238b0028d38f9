-- Drift checks (Sqlite): one row per ml.drift (kind 'data') or ml.performance (kind 'performance') verdict. The whole
-- report is an artifact (report_digest); the row keeps what the model's drift listing shows. drifted is 0/1 like the
-- other flags; drifted_features a JSON array of names; details_json what a performance check compared.
CREATE TABLE drift_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    model TEXT,
    version BIGINT,
    at BIGINT NOT NULL,
    drifted BIGINT NOT NULL,
    share DOUBLE PRECISION NOT NULL,
    share_threshold DOUBLE PRECISION NOT NULL,
    drifted_features TEXT NOT NULL,
    reference_rows BIGINT NOT NULL,
    current_rows BIGINT NOT NULL,
    report_digest TEXT,
    details_json TEXT,
    lineage_dag_id TEXT,
    lineage_run_id TEXT,
    lineage_task_id TEXT,
    lineage_try BIGINT
);
-- A task of a DAG run records its check once, however often it is retried or re-run.
CREATE UNIQUE INDEX ux_drift_checks_lineage ON drift_checks (lineage_dag_id, lineage_run_id, lineage_task_id)
    WHERE lineage_dag_id IS NOT NULL AND lineage_run_id IS NOT NULL AND lineage_task_id IS NOT NULL;
CREATE INDEX ix_drift_checks_model ON drift_checks (model, at, id);
