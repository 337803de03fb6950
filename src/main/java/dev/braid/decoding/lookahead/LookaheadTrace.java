package dev.braid.decoding.lookahead;

import dev.braid.decoding.GenerationResult;
import java.util.List;

/**
 * What lookahead accepted at each step, per sequence: the tokens, and how many of them came from a
 * verified n-gram (the rest is the model's own next token). It shows where the n-gram pool paid off.
 */
public record LookaheadTrace(List<List<Step>> sequences, int generatedTokens) implements GenerationResult.Trace {

    /** One step of one sequence; {@code step} counts from 1. */
    public record Step(int step, int[] tokens, int fromNgram) {
    }
}
