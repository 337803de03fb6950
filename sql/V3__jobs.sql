-- Asynchronous generation jobs: a durable queue shared by every replica. A replica claims a row
-- with SELECT ... FOR UPDATE SKIP LOCKED and holds a lease it renews; an expired lease means the
-- replica died and the job is claimed again.
CREATE TABLE jobs (
    id               UUID PRIMARY KEY,
    state            VARCHAR(16) NOT NULL,
    model            VARCHAR(128) NOT NULL,
    request          VARCHAR NOT NULL,
    result           VARCHAR,
    error            VARCHAR(2048),
    attempts         INTEGER NOT NULL DEFAULT 0,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    lease_owner      VARCHAR(128),
    lease_until      TIMESTAMP WITH TIME ZONE,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX jobs_claimable ON jobs (state, created_at);
