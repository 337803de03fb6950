package dev.braid.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Aggregates of {@code request_metrics} over a window, for the console.
 *
 * @param tokensPerSecond completion tokens over the active period: served throughput while there was
 *                        work, so an hour's window with a minute of requests reads as that minute's rate
 * @param activeSeconds   the active period: from the start of the window's first request to the end
 *                        of its last (0 without requests)
 * @param outcomes        requests per outcome
 * @param strategies      per strategy: its share of completed requests and its tokens per step
 */
public record MetricsSummary(Instant from, Instant to, long requests, long promptTokens, long completionTokens,
                             double tokensPerSecond, double activeSeconds, Double latencyMsP50, Double latencyMsP99,
                             Double ttftMsP50, Map<String, Long> outcomes, List<StrategyShare> strategies) {

    public record StrategyShare(String strategy, long requests, double share, long completionTokens, long steps,
                                double tokensPerStep) {
    }
}
