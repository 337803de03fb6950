package dev.braid.jobs;

import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.TokenLogprobs;

/** What a running generation reports, in order: token batches, then one {@link Finished}. */
public sealed interface GenerationEvent {

    /** Newly accepted tokens of sequence {@code sequence}; {@code logprobs} is null unless asked for. */
    record Tokens(int sequence, int[] ids, TokenLogprobs[] logprobs) implements GenerationEvent {
    }

    record Finished(GenerationResult result) implements GenerationEvent {
    }
}
