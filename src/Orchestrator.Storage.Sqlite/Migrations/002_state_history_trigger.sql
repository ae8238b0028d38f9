-- Version 2: a task instance's state history is written by the database itself, in the same statement that
-- changes the state, so no code path can change a state without leaving its timestamped reason behind (and the
-- engine pays one statement per change instead of two).
CREATE TRIGGER tr_task_instances_state_history
AFTER UPDATE OF state ON task_instances
WHEN NEW.state IS NOT OLD.state
BEGIN
    INSERT INTO task_state_changes (run_id, task_id, from_state, to_state, reason, at)
    VALUES (NEW.run_id, NEW.task_id, OLD.state, NEW.state, NEW.state_reason, NEW.updated_at);
END;
