-- Variables and Connections (Sqlite). Values are sealed by Orchestrator.Secrets (AES-GCM): the database holds the id of
-- the key and the ciphertext only. A connection's name and type stay in clear so they can be listed without the key.
CREATE TABLE variables (
    name TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE connections (
    name TEXT PRIMARY KEY,
    conn_type TEXT NOT NULL,
    key_id TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
