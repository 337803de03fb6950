package dev.braid.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Per time bucket and strategy: requests, tokens, throughput and tokens per step. */
public record MetricsSeries(Instant from, Instant to, Duration bucket, List<Point> points) {

    public record Point(Instant start, String strategy, long requests, long completionTokens, long steps,
                        double tokensPerStep, double tokensPerSecond) {
    }
}
