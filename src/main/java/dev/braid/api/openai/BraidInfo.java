package dev.braid.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Braid's extension of every response: the strategy that decoded it, why the selector chose it,
 * the forward passes it took and the tokens it accepted per pass, and for the structural strategies
 * (APAR, SGD) how the answer was put together, which the admin console draws; for the speculative
 * ones (lookahead, Jacobi) what their guesses did.
 */
public record BraidInfo(String strategy, String reason, int steps, double tokensPerStep, int peakKvBlocks,
                        @JsonInclude(JsonInclude.Include.NON_NULL) SpeculationInfo speculation,
                        @JsonInclude(JsonInclude.Include.NON_NULL) DecodingTrace trace) {

    public BraidInfo(String strategy, String reason, int steps, double tokensPerStep, int peakKvBlocks) {
        this(strategy, reason, steps, tokensPerStep, peakKvBlocks, null, null);
    }

    /**
     * What a speculative strategy's guesses did: drafts (steps that fed guesses), the guessed tokens
     * proposed and accepted, the mean tokens a draft step yielded, and the guess budget the last step
     * ran with (0: the price had it decoding plainly).
     */
    public record SpeculationInfo(long drafts, long draftTokens, long acceptedTokens, double meanAcceptanceLength,
                                  int budget) {

        public static SpeculationInfo of(dev.braid.decoding.Speculation s) {
            return s == null ? null : new SpeculationInfo(s.drafts(), s.draftTokens(), s.acceptedTokens(),
                    Math.round(1000.0 * s.meanAcceptanceLength()) / 1000.0, s.budget());
        }
    }
}
