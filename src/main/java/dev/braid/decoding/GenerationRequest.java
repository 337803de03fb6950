package dev.braid.decoding;

/**
 * One generation job for the engine: token ids in, {@code n} independent continuations out.
 * {@code strategyParams} shape the parallel strategies; a null one means their defaults.
 */
public record GenerationRequest(int[] promptIds, SamplingParams sampling, StopCriteria stop, int n,
                                StrategyParams strategyParams) {

    public GenerationRequest {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt must hold at least one token");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        if (strategyParams == null) {
            strategyParams = StrategyParams.DEFAULTS;
        }
    }

    public GenerationRequest(int[] promptIds, SamplingParams sampling, StopCriteria stop, int n) {
        this(promptIds, sampling, stop, n, StrategyParams.DEFAULTS);
    }

    public GenerationRequest(int[] promptIds, SamplingParams sampling, StopCriteria stop) {
        this(promptIds, sampling, stop, 1);
    }
}
