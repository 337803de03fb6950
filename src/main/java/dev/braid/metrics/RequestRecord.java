package dev.braid.metrics;

import java.time.Instant;

/**
 * What one request cost and how it ended; becomes a {@code request_metrics} row and meter updates.
 *
 * @param endpoint     {@code completions}, {@code chat}, {@code job}
 * @param cachedTokens context tokens found in the prefix cache instead of computed
 * @param queryTokens  query tokens its steps carried (prompt chunks, generated and guessed tokens): with
 *                     {@code steps}, what a step of its strategy costs
 * @param ttftMs       time to first token, null when none was produced
 * @param errorCode    the error kind's code when the request failed
 */
public record RequestRecord(Instant createdAt, String endpoint, String model, String strategy, String selectorReason,
                            String promptCategory, int promptTokens, int cachedTokens, int completionTokens, int steps,
                            long queryTokens, Double ttftMs,
                            double latencyMs, int peakKvBlocks, Outcome outcome, String errorCode) {

    /** A request refused before it reached a worker. */
    public static RequestRecord rejected(String endpoint, String model, double latencyMs, String errorCode) {
        return new RequestRecord(Instant.now(), endpoint, model, null, null, null, 0, 0, 0, 0, 0, null, latencyMs, 0,
                Outcome.REJECTED, errorCode);
    }

    public double tokensPerStep() {
        return steps == 0 ? 0 : (double) completionTokens / steps;
    }
}
