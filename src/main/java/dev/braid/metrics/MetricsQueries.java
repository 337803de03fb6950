package dev.braid.metrics;

import dev.braid.common.ServiceException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads {@code request_metrics} for the console's charts. Blocking (JPA): call it on
 * {@code boundedElastic}. Windows are capped at {@link #MAX_WINDOW} so an aggregate stays cheap.
 */
@Service
public class MetricsQueries {

    public static final Duration MAX_WINDOW = Duration.ofDays(7);
    private static final int MAX_BUCKETS = 2000;

    private final RequestMetricRepository repository;

    public MetricsQueries(RequestMetricRepository repository) {
        this.repository = repository;
    }

    @Transactional(readOnly = true)
    public MetricsSummary summary(Duration window) {
        checkWindow(window);
        Instant to = Instant.now();
        Instant from = to.minus(window);
        List<RequestMetric> rows = repository.findByCreatedAtAfterOrderByCreatedAtAsc(from);
        Map<String, Long> outcomes = new TreeMap<>();
        long prompt = 0;
        long completion = 0;
        List<Double> latencies = new ArrayList<>();
        List<Double> ttfts = new ArrayList<>();
        Map<String, long[]> perStrategy = new TreeMap<>();
        long completed = 0;
        // rows are written when a request ends; it started its latency earlier
        long activeFromMs = Long.MAX_VALUE;
        long activeToMs = Long.MIN_VALUE;
        for (RequestMetric row : rows) {
            long endMs = row.createdAt().toEpochMilli();
            activeFromMs = Math.min(activeFromMs, endMs - Math.round(row.latencyMs()));
            activeToMs = Math.max(activeToMs, endMs);
            outcomes.merge(row.outcome(), 1L, Long::sum);
            prompt += row.promptTokens();
            completion += row.completionTokens();
            if (Outcome.OK.id().equals(row.outcome())) {
                completed++;
                latencies.add(row.latencyMs());
                if (row.ttftMs() != null) {
                    ttfts.add(row.ttftMs());
                }
                long[] totals = perStrategy.computeIfAbsent(row.strategy(), s -> new long[3]);
                totals[0]++;
                totals[1] += row.completionTokens();
                totals[2] += row.steps();
            }
        }
        List<MetricsSummary.StrategyShare> shares = new ArrayList<>();
        for (Map.Entry<String, long[]> e : perStrategy.entrySet()) {
            long[] t = e.getValue();
            shares.add(new MetricsSummary.StrategyShare(e.getKey(), t[0], (double) t[0] / completed, t[1], t[2],
                    t[2] == 0 ? 0 : (double) t[1] / t[2]));
        }
        double activeSeconds = rows.isEmpty() ? 0 : (activeToMs - activeFromMs) / 1000.0;
        return new MetricsSummary(from, to, rows.size(), prompt, completion,
                activeSeconds > 0 ? completion / activeSeconds : 0, activeSeconds,
                percentile(latencies, 50), percentile(latencies, 99), percentile(ttfts, 50), outcomes, shares);
    }

    @Transactional(readOnly = true)
    public MetricsSeries series(Duration window, Duration bucket) {
        checkWindow(window);
        if (bucket.isNegative() || bucket.toSeconds() < 1) {
            throw ServiceException.invalid("bucket", "bucket must be at least 1 second, got " + bucket);
        }
        if (window.toSeconds() / bucket.toSeconds() > MAX_BUCKETS) {
            throw ServiceException.invalid("bucket", "window/bucket gives more than " + MAX_BUCKETS + " buckets");
        }
        Instant to = Instant.now();
        Instant from = to.minus(window);
        long bucketMs = bucket.toMillis();
        Map<Long, Map<String, long[]>> buckets = new TreeMap<>();
        for (RequestMetric row : repository.findByCreatedAtAfterOrderByCreatedAtAsc(from)) {
            if (!Outcome.OK.id().equals(row.outcome())) {
                continue;
            }
            long index = (row.createdAt().toEpochMilli() - from.toEpochMilli()) / bucketMs;
            long[] t = buckets.computeIfAbsent(index, i -> new LinkedHashMap<>())
                    .computeIfAbsent(row.strategy(), s -> new long[3]);
            t[0]++;
            t[1] += row.completionTokens();
            t[2] += row.steps();
        }
        List<MetricsSeries.Point> points = new ArrayList<>();
        buckets.forEach((index, byStrategy) -> byStrategy.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.nullsFirst(Comparator.naturalOrder())))
                .forEach(e -> {
                    long[] t = e.getValue();
                    points.add(new MetricsSeries.Point(from.plusMillis(index * bucketMs), e.getKey(), t[0], t[1], t[2],
                            t[2] == 0 ? 0 : (double) t[1] / t[2], t[1] / (bucketMs / 1000.0)));
                }));
        return new MetricsSeries(from, to, bucket, points);
    }

    private static void checkWindow(Duration window) {
        if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
            throw ServiceException.invalid("window", "window must be positive and at most " + MAX_WINDOW
                    + ", got " + window);
        }
    }

    static Double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return null;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
