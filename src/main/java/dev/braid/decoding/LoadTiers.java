package dev.braid.decoding;

/**
 * Where speculative strategies (lookahead, Jacobi) shrink their extra tokens, by the number of
 * tasks sharing a step; one policy for both, measured with {@code bench} on CPU. A GPU has more
 * spare compute per step and would likely move both thresholds up.
 */
public final class LoadTiers {

    /** From this many running tasks, a step carries a quarter of the strategy's guesses. */
    public static final int SHARED_TASKS = 4;

    /** From this many running tasks, a step carries (almost) no guesses. */
    public static final int BUSY_TASKS = 16;

    private LoadTiers() {
    }
}
