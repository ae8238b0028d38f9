-- Version 14: workers claim queued task instances of their queues straight from the store, oldest first (the
-- distributed fast path): this index holds only the queued ones, so a claim reads a few rows however many task
-- instances the store keeps.
CREATE INDEX ix_task_instances_queued ON task_instances (queue, updated_at) WHERE state = 'queued';
