package dev.braid.strategy;

import dev.braid.metrics.RequestMetricRepository;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * Learned throughput per model × strategy × prompt category, read from the persisted request
 * metrics on {@code boundedElastic} every {@code statsRefresh}; the selector only reads the
 * in-memory snapshot, so selection never touches the database.
 */
@Component
public class StrategyStatistics implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(StrategyStatistics.class);

    /**
     * Completed requests, their throughput (completion tokens per second of latency), and what their
     * steps made and carried: completion tokens and query tokens per step.
     */
    public record Throughput(long requests, double tokensPerSecond, double tokensPerStep, double queryTokensPerStep) {

        /** From totals: {@code requests} that made {@code tokens} in {@code latencyMs}, over {@code steps} of {@code queryTokens}. */
        public static Throughput of(long requests, long tokens, double latencyMs, long steps, long queryTokens) {
            return new Throughput(requests, latencyMs <= 0 ? 0 : tokens * 1000.0 / latencyMs,
                    steps == 0 ? 0 : (double) tokens / steps, steps == 0 ? 0 : (double) queryTokens / steps);
        }
    }

    private record Key(String model, String strategy, String category) {
    }

    private final RequestMetricRepository repository;
    private final StrategyProperties properties;
    private final Disposable refresher;
    private volatile Map<Key, Throughput> snapshot = Map.of();

    public StrategyStatistics(RequestMetricRepository repository, StrategyProperties properties) {
        this.repository = repository;
        this.properties = properties;
        long every = properties.statsRefresh().toMillis();
        this.refresher = Schedulers.boundedElastic().schedulePeriodically(this::refreshQuietly, every, every,
                TimeUnit.MILLISECONDS);
    }

    public Optional<Throughput> get(String model, String strategy, String category) {
        return Optional.ofNullable(snapshot.get(new Key(model, strategy, category)));
    }

    /** Re-reads the statistics; blocking. */
    public void refresh() {
        Map<Key, Throughput> next = new HashMap<>();
        for (RequestMetricRepository.StrategyTotals t : repository.totalsSince(
                Instant.now().minus(properties.statsWindow()))) {
            double latency = t.getLatencyMs() == null ? 0 : t.getLatencyMs();
            long tokens = t.getCompletionTokens() == null ? 0 : t.getCompletionTokens();
            long steps = t.getSteps() == null ? 0 : t.getSteps();
            long queryTokens = t.getQueryTokens() == null ? 0 : t.getQueryTokens();
            next.put(new Key(t.getModel(), t.getStrategy(), t.getPromptCategory()),
                    Throughput.of(t.getRequests(), tokens, latency, steps, queryTokens));
        }
        snapshot = Map.copyOf(next);
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.debug("strategy statistics not refreshed: {}", e.getMessage());
        }
    }

    @Override
    public void destroy() {
        refresher.dispose();
    }
}
