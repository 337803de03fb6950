package dev.braid.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Aggregates of {@code request_metrics} over a window, for the console.
 *
 * @param tokensPerSecond completion tokens over the window's length (served throughput)
 * @param outcomes        requests per outcome
 * @param strategies      per strategy: its share of completed requests and its tokens per step
 */
public record MetricsSummary(Instant from, Instant to, long requests, long promptTokens, long completionTokens,
                             double tokensPerSecond, Double latencyMsP50, Double latencyMsP99, Double ttftMsP50,
                             Map<String, Long> outcomes, List<StrategyShare> strategies) {

    public record StrategyShare(String strategy, long requests, double share, long completionTokens, long steps,
                                double tokensPerStep) {
    }
}
