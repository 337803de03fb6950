package dev.braid.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Braid's extension of every response: the strategy that decoded it, why the selector chose it,
 * the forward passes it took and the tokens it accepted per pass, and for the structural strategies
 * (APAR, SGD) how the answer was put together, which the admin console draws.
 */
public record BraidInfo(String strategy, String reason, int steps, double tokensPerStep, int peakKvBlocks,
                        @JsonInclude(JsonInclude.Include.NON_NULL) DecodingTrace trace) {

    public BraidInfo(String strategy, String reason, int steps, double tokensPerStep, int peakKvBlocks) {
        this(strategy, reason, steps, tokensPerStep, peakKvBlocks, null);
    }
}
