package dev.braid.decoding;

import java.util.List;

/**
 * The outcome of a task: per sequence its generated ids and why it ended, plus the step and KV
 * accounting the benchmarks and metrics report.
 *
 * @param steps          forward passes this task took part in
 * @param peakKvBlocks   most KV blocks its sequences held at once
 */
public record GenerationResult(String strategy, int promptTokens, List<Completion> completions, int steps,
                               int peakKvBlocks, long firstTokenNanos, long elapsedNanos) {

    /** One sequence's generated ids; {@code stopString} is the stop string that ended it, if any. */
    public record Completion(int[] tokenIds, FinishReason finishReason, String stopString) {

        /** The text a user sees: decoded, cut before the stop string that ended it. */
        public String text(TokenDecoder decoder) {
            String text = decoder.decode(tokenIds);
            int at = stopString == null ? -1 : text.indexOf(stopString);
            return at >= 0 ? text.substring(0, at) : text;
        }
    }

    public int completionTokens() {
        return completions.stream().mapToInt(c -> c.tokenIds().length).sum();
    }

    public Completion first() {
        return completions.get(0);
    }
}
