-- Context tokens a request's sequences found in the worker's prefix cache instead of computing.
ALTER TABLE request_metrics ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0;
