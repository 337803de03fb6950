package dev.braid.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Whether the queue is being worked: gauges of the jobs queued ({@code braid.jobs.queued}) and of
 * those queued for longer than {@code braid.jobs.queued-alert-after} ({@code braid.jobs.queued.stale}),
 * the sign that no ready replica with room serves their model. The job runner counts them on its
 * poll timer, one count over the queued rows per tick, so a scrape only reads the last count. The
 * gauges read NaN until the first count and while the database cannot be counted, so an alert
 * never fires on a stale guess.
 *
 * <p>A job's time in the queue runs from its last {@code updated_at}: its submission, or the moment
 * a replica handed it back, which is when it last became claimable.
 */
@Component
public class JobQueueGauges {

    private static final Logger log = LoggerFactory.getLogger(JobQueueGauges.class);

    /** The queue as last counted. */
    public record Counts(long queued, long stale, Instant countedAt) {
    }

    private final JdbcTemplate jdbc;
    private final Duration alertAfter;
    private volatile Counts counts;

    JobQueueGauges(JdbcTemplate jdbc, JobsProperties properties, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.alertAfter = properties.queuedAlertAfter();
        gauge(registry, "braid.jobs.queued", "Jobs waiting to be claimed", Counts::queued);
        gauge(registry, "braid.jobs.queued.stale", "Jobs queued for longer than braid.jobs.queued-alert-after",
                Counts::stale);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToLongFunction<Counts> value) {
        Gauge.builder(name, this, g -> g.counts == null ? Double.NaN : value.applyAsLong(g.counts))
                .description(description).register(registry);
    }

    /** The last count; empty before the first one and while the database cannot be counted. */
    public Optional<Counts> counts() {
        return Optional.ofNullable(counts);
    }

    /** A queued job last queued before this instant is stale. */
    public Instant staleBefore(Instant now) {
        return now.minus(alertAfter);
    }

    public Duration alertAfter() {
        return alertAfter;
    }

    /** Counts the queue now; blocking. A failed count empties the gauges rather than keep an old figure. */
    void refresh() {
        Instant now = Instant.now();
        try {
            counts = jdbc.queryForObject("SELECT COUNT(*), COALESCE(SUM(CASE WHEN updated_at < ? THEN 1 ELSE 0 END), 0) "
                            + "FROM jobs WHERE state = 'queued'",
                    (rs, i) -> new Counts(rs.getLong(1), rs.getLong(2), now), Timestamp.from(staleBefore(now)));
        } catch (RuntimeException e) {
            counts = null;
            log.debug("cannot count the job queue: {}", e.getMessage());
        }
    }
}
