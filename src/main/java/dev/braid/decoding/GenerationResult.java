package dev.braid.decoding;

import dev.braid.model.Tokenizer;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a task: per sequence its generated ids and why it ended, plus the step and KV
 * accounting the benchmarks and metrics report.
 *
 * @param cachedTokens   context tokens its sequences found in the worker's prefix cache instead of computing
 * @param steps          forward passes this task took part in
 * @param queryTokens    query tokens it put in them, prompt chunks and guesses included: what its steps cost
 * @param peakKvBlocks   most KV blocks its sequences held at once
 * @param trace          how a structural strategy decoded (APAR's branch tree, SGD's skeleton graph), or null
 * @param speculation    what the guesses of a speculative strategy (lookahead, Jacobi) did, or null
 */
public record GenerationResult(String strategy, int promptTokens, int cachedTokens, List<Completion> completions,
                               int steps, long queryTokens, int peakKvBlocks, long firstTokenNanos, long elapsedNanos, Trace trace,
                               Speculation speculation) {

    public GenerationResult(String strategy, int promptTokens, int cachedTokens, List<Completion> completions,
                            int steps, long queryTokens, int peakKvBlocks, long firstTokenNanos, long elapsedNanos) {
        this(strategy, promptTokens, cachedTokens, completions, steps, queryTokens, peakKvBlocks, firstTokenNanos,
                elapsedNanos, null, null);
    }

    /** One sequence's generated ids; {@code stopString} is the stop string that ended it, if any. */
    public record Completion(int[] tokenIds, FinishReason finishReason, String stopString) {

        /** The text a user sees: decoded, cut before the stop string that ended it. */
        public String text(Tokenizer tokenizer) {
            String text = tokenizer.decode(tokenIds);
            int at = stopString == null ? -1 : text.indexOf(stopString);
            return at >= 0 ? text.substring(0, at) : text;
        }
    }

    /**
     * A strategy's record of its decoding, for traces and the console. Structural strategies assemble
     * their answer from pieces and add text of their own (separators, point titles), so the tokens the
     * model generated are counted by the trace rather than read off the assembled ids.
     */
    public interface Trace {
        int generatedTokens();
    }

    public GenerationResult withTrace(Trace trace) {
        return new GenerationResult(strategy, promptTokens, cachedTokens, completions, steps, queryTokens, peakKvBlocks,
                firstTokenNanos, elapsedNanos, trace, speculation);
    }

    public GenerationResult withSpeculation(Speculation speculation) {
        return new GenerationResult(strategy, promptTokens, cachedTokens, completions, steps, queryTokens, peakKvBlocks,
                firstTokenNanos, elapsedNanos, trace, speculation);
    }

    public <T extends Trace> Optional<T> trace(Class<T> type) {
        return type.isInstance(trace) ? Optional.of(type.cast(trace)) : Optional.empty();
    }

    public int completionTokens() {
        if (trace != null) {
            return trace.generatedTokens();
        }
        return completions.stream().mapToInt(c -> c.tokenIds().length).sum();
    }

    public Completion first() {
        return completions.get(0);
    }
}
