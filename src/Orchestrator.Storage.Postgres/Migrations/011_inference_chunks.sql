-- Inference log in chunks (PostgreSQL), like SageMaker's data capture files: one row per model per written batch
-- instead of one row per scored row, so logging costs one b-tree insert per batch, not three per row.
-- data is a JSON array of the chunk's rows, each {"requestId", "row", "version", "at", "inputs", "prediction"}
-- (inputs: a JSON object column -> value; prediction: JSON). first_at/last_at (Unix ms) bound every row's at and
-- the time embedded in every row's request id (a UUIDv7), so a label finds its chunk from its id alone.
CREATE TABLE inference_chunks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model TEXT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    data TEXT NOT NULL
);

CREATE INDEX inference_chunks_model_first_at ON inference_chunks (model, first_at);

-- Labelled rows, copied out of their chunk when the label arrives: live metrics read labels without decoding chunks.
CREATE TABLE inference_labels (
    request_id TEXT NOT NULL,
    row_index BIGINT NOT NULL,
    model TEXT NOT NULL,
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    inputs TEXT NOT NULL,
    prediction TEXT NOT NULL,
    label TEXT NOT NULL,
    labeled_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, row_index)
);

CREATE INDEX inference_labels_model_at ON inference_labels (model, at);

-- Every row logged under migration 007 moves, as a one-row chunk. Its id was made a little before its at (007's
-- endpoint read the clock twice), so the chunk's first_at also covers the id's embedded time (the first 12 hex
-- digits of a UUIDv7).
INSERT INTO inference_chunks (model, first_at, last_at, row_count, data)
SELECT model, LEAST(at, COALESCE(id_ms, at)), GREATEST(at, COALESCE(id_ms, at)), 1,
       json_build_array(json_build_object('requestId', request_id, 'row', row_index, 'version', version, 'at', at,
                                          'inputs', inputs::json, 'prediction', prediction::json))::text
  FROM (SELECT l.*,
               CASE WHEN request_id ~ '^[0-9a-fA-F]{12}7[0-9a-fA-F]{19}$'
                    THEN ('x' || substr(request_id, 1, 12))::bit(48)::bigint
               END AS id_ms
          FROM inference_log l) old
 ORDER BY model, at, request_id, row_index;

INSERT INTO inference_labels (request_id, row_index, model, version, at, inputs, prediction, label, labeled_at)
SELECT request_id, row_index, model, version, at, inputs, prediction, label, labeled_at
  FROM inference_log
 WHERE label IS NOT NULL;

DROP TABLE inference_log;
