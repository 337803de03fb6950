package dev.braid.metrics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.metrics.*}: the buffer between requests and the {@code request_metrics} table.
 *
 * @param bufferCapacity rows held while the database is slow or down; beyond it rows are dropped
 *                       (and counted in {@code braid.metrics.dropped})
 * @param flushInterval  how often buffered rows are written (also right after each request)
 * @param batchSize      rows per insert transaction
 */
@ConfigurationProperties("braid.metrics")
public record MetricsProperties(@DefaultValue("10000") int bufferCapacity,
                                @DefaultValue("2s") Duration flushInterval,
                                @DefaultValue("200") int batchSize) {
}
