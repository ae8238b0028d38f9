-- Version 12: what lets several processes share the work safely (distributed mode; the embedded engine uses the same
-- leases for its "one engine per home" guard).
-- leases: named, time-bound ownership ("run/RUN_ID" is driven by one scheduler, "scheduler/events" delivered by one).
--   token grows each time another owner takes the lease: a write fenced by (owner, token) fails once it was taken.
-- workers: the worker processes, their queues and heartbeats (dashboard; a silent worker's tries are lost).
-- task_tries.lease_until: a running try belongs to its worker_id until then; the worker's heartbeat extends it, and a
--   try past its lease is recorded lost ("worker lost") by the run's driver. NULL: no lease (the embedded engine).
-- try_reports: a worker's account of a finished try, fenced by the try's lease, until the run's driver records it.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    token BIGINT NOT NULL,
    acquired_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE workers (
    worker_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    queues TEXT NOT NULL,
    concurrency BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    stopped_at BIGINT
);

ALTER TABLE task_tries ADD COLUMN lease_until BIGINT;
CREATE INDEX ix_task_tries_open_leases ON task_tries (lease_until) WHERE ended_at IS NULL AND lease_until IS NOT NULL;
CREATE INDEX ix_task_tries_open_by_worker ON task_tries (worker_id) WHERE ended_at IS NULL;

CREATE TABLE try_reports (
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    try_number BIGINT NOT NULL,
    worker_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    configuration_error BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    output TEXT,
    reported_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, task_id, try_number),
    FOREIGN KEY (run_id, task_id, try_number) REFERENCES task_tries (run_id, task_id, try_number) ON DELETE CASCADE
);
