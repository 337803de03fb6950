package dev.braid.api.openai;

/**
 * Braid's extension of every response: the strategy that decoded it, why the selector chose it,
 * the forward passes it took and the tokens it accepted per pass.
 */
public record BraidInfo(String strategy, String reason, int steps, double tokensPerStep, int peakKvBlocks) {
}
