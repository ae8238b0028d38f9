-- Version 16: a worker whose try succeeded may start a ready downstream task of its own queues at once, in the same
-- transaction as its report (the run's driver adopts that try instead of queueing the task). The report names the
-- try it started, so the driver knows the task is already running.
ALTER TABLE try_reports ADD COLUMN followed_task TEXT;
ALTER TABLE try_reports ADD COLUMN followed_try BIGINT;
