-- Version 4: the OS process group a try runs in, recorded once when its command starts, so that an engine that
-- restarts after a crash can stop a lost try's processes before its retry starts (a task never runs twice at once).
-- pid is the group's id (its leader's pid); process_start is the leader's start time in clock ticks after boot and
-- boot_id the kernel's boot id: together they tell the recorded process from a later one that reuses its pid.
ALTER TABLE task_tries ADD COLUMN host TEXT;
ALTER TABLE task_tries ADD COLUMN boot_id TEXT;
ALTER TABLE task_tries ADD COLUMN pid BIGINT;
ALTER TABLE task_tries ADD COLUMN process_start BIGINT;
