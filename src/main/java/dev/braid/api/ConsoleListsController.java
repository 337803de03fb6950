package dev.braid.api;

import dev.braid.common.ServiceException;
import dev.braid.jobs.JobQueueGauges;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Read-only lists for the admin console: the newest {@code request_metrics} rows and the newest
 * jobs, filtered. The other APIs only aggregate metrics or read one job by id, and the console
 * needs to browse them. Requests sit beside the other metrics (they carry no prompt or output);
 * the job list is admin-only because a job's id is all it takes to read its result.
 */
@RestController
class ConsoleListsController {

    static final int MAX_LIMIT = 500;

    /** One {@code request_metrics} row; no prompt or output text is ever stored there. */
    record RequestRow(UUID id, Instant createdAt, String endpoint, String model, String strategy,
                      String selectorReason, String promptCategory, int promptTokens, int cachedTokens,
                      int completionTokens,
                      int steps, Double tokensPerStep, Double ttftMs, double latencyMs, int peakKvBlocks,
                      String outcome, String errorCode) {
    }

    /**
     * A job without its request and result bodies, which {@code GET /api/jobs/{id}} returns;
     * {@code stale}: queued for longer than {@code braid.jobs.queued-alert-after}.
     */
    record JobRow(UUID id, String state, String model, int attempts, boolean cancelRequested, Instant createdAt,
                  Instant startedAt, Instant finishedAt, String error, boolean stale) {
    }

    /**
     * The queue as the job runner last counted it for its gauges ({@code null} counts: not counted
     * yet, or the database could not be read), and the age at which a queued job is stale.
     */
    record QueueRow(Long queued, Long stale, Instant countedAt, long staleAfterSeconds) {
    }

    private final NamedParameterJdbcTemplate jdbc;
    private final JobQueueGauges queue;

    ConsoleListsController(NamedParameterJdbcTemplate jdbc, JobQueueGauges queue) {
        this.jdbc = jdbc;
        this.queue = queue;
    }

    /** {@code GET /api/metrics/requests?model=&strategy=&outcome=&limit=}: newest first. */
    @GetMapping(path = "/api/metrics/requests", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<List<RequestRow>> requests(@RequestParam(required = false) String model,
                                    @RequestParam(required = false) String strategy,
                                    @RequestParam(required = false) String outcome,
                                    @RequestParam(defaultValue = "100") int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit(limit));
        StringBuilder where = new StringBuilder();
        filter(where, params, "model", model);
        filter(where, params, "strategy", strategy);
        filter(where, params, "outcome", outcome);
        String sql = "SELECT * FROM request_metrics" + where + " ORDER BY created_at DESC LIMIT :limit";
        return Mono.fromCallable(() -> jdbc.query(sql, params, ConsoleListsController::requestRow))
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** {@code GET /api/admin/jobs?state=&model=&limit=}: newest first. */
    @GetMapping(path = "/api/admin/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<List<JobRow>> jobs(@RequestParam(required = false) String state,
                            @RequestParam(required = false) String model,
                            @RequestParam(defaultValue = "100") int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit(limit));
        StringBuilder where = new StringBuilder();
        filter(where, params, "state", state);
        filter(where, params, "model", model);
        String sql = "SELECT id, state, model, attempts, cancel_requested, created_at, started_at, finished_at, "
                + "error, (state = 'queued' AND updated_at < :staleBefore) AS stale FROM jobs" + where
                + " ORDER BY created_at DESC LIMIT :limit";
        return Mono.fromCallable(() -> {
            params.addValue("staleBefore", Timestamp.from(queue.staleBefore(Instant.now())));
            return jdbc.query(sql, params, ConsoleListsController::jobRow);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** {@code GET /api/admin/jobs/queue}: what {@code braid_jobs_queued} and {@code braid_jobs_queued_stale} show. */
    @GetMapping("/api/admin/jobs/queue")
    QueueRow queue() {
        long after = queue.alertAfter().toSeconds();
        return queue.counts().map(c -> new QueueRow(c.queued(), c.stale(), c.countedAt(), after))
                .orElseGet(() -> new QueueRow(null, null, null, after));
    }

    private static int limit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ServiceException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return limit;
    }

    /** Column names are fixed by the callers; only values come from the request, as bind parameters. */
    private static void filter(StringBuilder where, MapSqlParameterSource params, String column, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        where.append(where.isEmpty() ? " WHERE " : " AND ").append(column).append(" = :").append(column);
        params.addValue(column, value);
    }

    private static RequestRow requestRow(ResultSet rs, int i) throws SQLException {
        int steps = rs.getInt("steps");
        int completion = rs.getInt("completion_tokens");
        double ttft = rs.getDouble("ttft_ms");
        Double ttftMs = rs.wasNull() ? null : ttft;
        return new RequestRow(rs.getObject("id", UUID.class), instant(rs, "created_at"), rs.getString("endpoint"),
                rs.getString("model"), rs.getString("strategy"), rs.getString("selector_reason"),
                rs.getString("prompt_category"), rs.getInt("prompt_tokens"), rs.getInt("cached_tokens"), completion, steps,
                steps == 0 ? null : (double) completion / steps, ttftMs, rs.getDouble("latency_ms"),
                rs.getInt("peak_kv_blocks"), rs.getString("outcome"), rs.getString("error_code"));
    }

    private static JobRow jobRow(ResultSet rs, int i) throws SQLException {
        return new JobRow(rs.getObject("id", UUID.class), rs.getString("state"), rs.getString("model"),
                rs.getInt("attempts"), rs.getBoolean("cancel_requested"), instant(rs, "created_at"),
                instant(rs, "started_at"), instant(rs, "finished_at"), rs.getString("error"), rs.getBoolean("stale"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
