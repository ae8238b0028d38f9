-- Version 17: no index on task_instances.state alone. Nothing reads it to advantage (a state is shared by most rows,
-- and the queued ones have their own index since version 14), while every state change pays to keep it. Worse,
-- PostgreSQL's statistics of a queue-like column lag a burst (analysed at rest, "queued" and "running" look like
-- one row each), so keyed statements that also check a state were planned as a walk of this index over every
-- queued or running instance, joined to each key in turn: 0.1–0.5 s each once 10,000 tasks were queued.
DROP INDEX IF EXISTS ix_task_instances_state;
