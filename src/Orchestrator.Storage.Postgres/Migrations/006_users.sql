-- Access control (PostgreSQL): users and their API tokens. Only hashes are stored: a user's password as ASP.NET Core
-- Identity's PasswordHasher output, a token as the hex SHA-256 of the token (shown once, when created). Times are
-- Unix milliseconds; disabled is 0/1 like the other flags.
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT
);

CREATE INDEX api_tokens_owner ON api_tokens (owner);
