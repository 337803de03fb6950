package dev.braid.strategy;

/**
 * The strategy a request runs with and why; the reason is returned to the client (in the
 * {@code braid} response field) and stored with the request's metrics.
 */
public record StrategyDecision(String strategy, String reason) {
}
