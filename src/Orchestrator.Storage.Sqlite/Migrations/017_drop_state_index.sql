-- Version 17: no index on task_instances.state alone, as on PostgreSQL (see its 017): nothing reads it to advantage,
-- and every state change paid to keep it.
DROP INDEX IF EXISTS ix_task_instances_state;
