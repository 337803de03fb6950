-- Registered models: the admin API's registry. Portable SQL: PostgreSQL and H2 (PostgreSQL mode).
CREATE TABLE models (
    name          VARCHAR(128) PRIMARY KEY,
    path          VARCHAR(4096) NOT NULL,
    capabilities  VARCHAR(256) NOT NULL DEFAULT '',
    draft_partner VARCHAR(128) REFERENCES models (name),
    loaded        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    version       BIGINT NOT NULL DEFAULT 0
);
