-- Inference log in chunks (SQLite), like SageMaker's data capture files: one row per model per written batch
-- instead of one row per scored row, so logging costs one b-tree insert per batch, not three per row.
-- data is a JSON array of the chunk's rows, each {"requestId", "row", "version", "at", "inputs", "prediction"}
-- (inputs: a JSON object column -> value; prediction: JSON). first_at/last_at (Unix ms) bound every row's at and
-- the time embedded in every row's request id (a UUIDv7), so a label finds its chunk from its id alone.
CREATE TABLE inference_chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
-- digits of a UUIDv7), which SQLite can only decode digit by digit.
INSERT INTO inference_chunks (model, first_at, last_at, row_count, data)
SELECT model,
       CASE WHEN id_ms IS NOT NULL AND id_ms < at THEN id_ms ELSE at END,
       CASE WHEN id_ms IS NOT NULL AND id_ms > at THEN id_ms ELSE at END,
       1,
       json_array(json_object('requestId', request_id, 'row', row_index, 'version', version, 'at', at,
                              'inputs', json(inputs), 'prediction', json(prediction)))
  FROM (SELECT l.*,
               CASE WHEN length(request_id) = 32 AND substr(request_id, 13, 1) = '7'
                         AND lower(request_id) NOT GLOB '*[^0-9a-f]*'
                    THEN (instr('0123456789abcdef', lower(substr(request_id, 1, 1))) - 1) * 17592186044416
                       + (instr('0123456789abcdef', lower(substr(request_id, 2, 1))) - 1) * 1099511627776
                       + (instr('0123456789abcdef', lower(substr(request_id, 3, 1))) - 1) * 68719476736
                       + (instr('0123456789abcdef', lower(substr(request_id, 4, 1))) - 1) * 4294967296
                       + (instr('0123456789abcdef', lower(substr(request_id, 5, 1))) - 1) * 268435456
                       + (instr('0123456789abcdef', lower(substr(request_id, 6, 1))) - 1) * 16777216
                       + (instr('0123456789abcdef', lower(substr(request_id, 7, 1))) - 1) * 1048576
                       + (instr('0123456789abcdef', lower(substr(request_id, 8, 1))) - 1) * 65536
                       + (instr('0123456789abcdef', lower(substr(request_id, 9, 1))) - 1) * 4096
                       + (instr('0123456789abcdef', lower(substr(request_id, 10, 1))) - 1) * 256
                       + (instr('0123456789abcdef', lower(substr(request_id, 11, 1))) - 1) * 16
                       + (instr('0123456789abcdef', lower(substr(request_id, 12, 1))) - 1)
               END AS id_ms
          FROM inference_log l) old
 ORDER BY model, at, request_id, row_index;

INSERT INTO inference_labels (request_id, row_index, model, version, at, inputs, prediction, label, labeled_at)
SELECT request_id, row_index, model, version, at, inputs, prediction, label, labeled_at
  FROM inference_log
 WHERE label IS NOT NULL;

DROP TABLE inference_log;
