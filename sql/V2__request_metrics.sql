-- One row per inference request, written off the request path; failed and refused requests too.
CREATE TABLE request_metrics (
    id                UUID PRIMARY KEY,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    endpoint          VARCHAR(32) NOT NULL,
    model             VARCHAR(128),
    strategy          VARCHAR(32),
    selector_reason   VARCHAR(512),
    prompt_category   VARCHAR(32),
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    steps             INTEGER NOT NULL,
    ttft_ms           DOUBLE PRECISION,
    latency_ms        DOUBLE PRECISION NOT NULL,
    peak_kv_blocks    INTEGER NOT NULL,
    outcome           VARCHAR(32) NOT NULL,
    error_code        VARCHAR(64)
);

CREATE INDEX request_metrics_created_at ON request_metrics (created_at);
CREATE INDEX request_metrics_model_strategy ON request_metrics (model, strategy, prompt_category);
