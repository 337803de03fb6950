package dev.braid.decoding;

/**
 * One generation job for the engine: token ids in, {@code n} independent continuations out.
 */
public record GenerationRequest(int[] promptIds, SamplingParams sampling, StopCriteria stop, int n) {

    public GenerationRequest {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt must hold at least one token");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
    }

    public GenerationRequest(int[] promptIds, SamplingParams sampling, StopCriteria stop) {
        this(promptIds, sampling, stop, 1);
    }
}
