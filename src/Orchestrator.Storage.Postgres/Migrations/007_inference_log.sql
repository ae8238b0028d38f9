-- Inference log (PostgreSQL): the rows model serving scored (sampled; written in batches off the request path) and
-- the ground-truth labels that arrived for them (POST /models/{name}/feedback). A row is one row of one request:
-- (request_id, row_index) is what the caller got back (X-Request-Id) and labels by. inputs is a JSON object
-- column -> value as bound to the model's signature; prediction is the prediction as JSON; label is a JSON number
-- or string, NULL until one arrives. Times are Unix milliseconds. Drift checks read a model's window by time, and
-- retention deletes a model's oldest rows: both go through (model, at).
CREATE TABLE inference_log (
    request_id TEXT NOT NULL,
    row_index BIGINT NOT NULL,
    model TEXT NOT NULL,
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    inputs TEXT NOT NULL,
    prediction TEXT NOT NULL,
    label TEXT,
    labeled_at BIGINT,
    PRIMARY KEY (request_id, row_index)
);

CREATE INDEX inference_log_model_at ON inference_log (model, at);
