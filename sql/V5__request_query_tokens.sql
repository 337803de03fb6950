-- Query tokens a request's steps carried (prompt chunks, generated and guessed tokens): with steps, what a
-- step of its strategy costs, which auto prices against each worker's step cost.
ALTER TABLE request_metrics ADD COLUMN query_tokens BIGINT NOT NULL DEFAULT 0;
