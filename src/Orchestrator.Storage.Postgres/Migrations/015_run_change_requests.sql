-- Version 15: operators' clear and mark of a run that a scheduler of a cluster drives. The web server (or CLI) that
-- takes the change cannot apply it (only the run's driver may write the run), so it files a request here and the
-- driver applies it through its coordinator: pending -> taken (the driver claimed it) -> applied | refused, or
-- pending -> withdrawn (nobody took it in time; the requester said so and it will never be applied).
CREATE TABLE run_change_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    downstream BIGINT NOT NULL,
    mark_state TEXT,
    reason TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    decided_by TEXT,
    decided_at BIGINT
);

CREATE INDEX ix_run_change_requests_open ON run_change_requests (run_id) WHERE status IN ('pending', 'taken');
