package dev.braid.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.braid.decoding.DecodingTrace;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.Speculation;

/**
 * Braid's extension of every response: the strategy that decoded it, why the selector chose it,
 * the forward passes it took and the tokens it accepted per pass, the context tokens it found in
 * the prefix cache, and for the structural strategies
 * (APAR, SGD) how the answer was put together, which the admin console draws; for the speculative
 * ones (lookahead, Jacobi) what their guesses did.
 */
public record BraidInfo(String strategy, String reason, int steps, double tokensPerStep, int peakKvBlocks,
                        int cachedTokens,
                        @JsonInclude(JsonInclude.Include.NON_NULL) SpeculationInfo speculation,
                        @JsonInclude(JsonInclude.Include.NON_NULL) DecodingTrace trace) {

    /** The block of a finished generation: the one builder for /v1 responses and job results. */
    public static BraidInfo of(Generation generation, GenerationResult result) {
        return new BraidInfo(result.strategy(), generation.decision().reason(), result.steps(),
                result.steps() == 0 ? 0 : Math.round(1000.0 * result.completionTokens() / result.steps()) / 1000.0,
                result.peakKvBlocks(), result.cachedTokens(), SpeculationInfo.of(result.speculation()), result.trace() == null ? null
                        : DecodingTrace.of(result.trace(), generation.command().model().model().tokenizer()));
    }

    /**
     * What a speculative strategy's guesses did: drafts (steps that fed guesses), the guessed tokens
     * proposed and accepted, the mean tokens a draft step yielded, and the guess budget the last step
     * ran with (0: the price had it decoding plainly).
     */
    public record SpeculationInfo(long drafts, long draftTokens, long acceptedTokens, double meanAcceptanceLength,
                                  int budget) {

        public static SpeculationInfo of(Speculation s) {
            return s == null ? null : new SpeculationInfo(s.drafts(), s.draftTokens(), s.acceptedTokens(),
                    Math.round(1000.0 * s.meanAcceptanceLength()) / 1000.0, s.budget());
        }
    }
}
