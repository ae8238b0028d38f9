-- Version 13: cluster-wide pools (Airflow's pools). A task instance with a pool waits in scheduled until the pool
-- admits it; its pool_slots count as taken while it is queued or running, so its slots free themselves however it
-- ends. priority_weight is its effective weight (computed from the DAG when the run is created): among the waiting
-- instances of a pool the highest goes first.
-- pools: the slot counts, runtime configuration shared by every process on the store (no row: nothing is admitted).
-- task_instances.pool: NULL for a task without a pool (limited only by worker concurrency). Existing rows get the
--   defaults: no pool, one slot, weight 1.
CREATE TABLE pools (
    name TEXT PRIMARY KEY,
    slots INTEGER NOT NULL,
    description TEXT,
    updated_at BIGINT NOT NULL
);

ALTER TABLE task_instances ADD COLUMN pool TEXT NULL;
ALTER TABLE task_instances ADD COLUMN pool_slots INTEGER NOT NULL DEFAULT 1;
ALTER TABLE task_instances ADD COLUMN priority_weight INTEGER NOT NULL DEFAULT 1;

-- "The instances of pool X in state S" (slots taken, waiters, delete's in-use check): only rows with a pool.
CREATE INDEX ix_task_instances_pool_state ON task_instances (pool, state) WHERE pool IS NOT NULL;
