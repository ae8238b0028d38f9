-- Version 14: workers claim queued task instances of their queues straight from the store, highest effective
-- priority weight first (013's column), then oldest first (the distributed fast path). This index holds only the queued ones, in the claim's order (a start plan queues thousands
-- with one updated_at, so run_id and task_id are in the key too): a claim reads the few rows it takes instead of
-- sorting every queued instance.
CREATE INDEX ix_task_instances_queued ON task_instances (queue, priority_weight DESC, updated_at, run_id, task_id) WHERE state = 'queued';
