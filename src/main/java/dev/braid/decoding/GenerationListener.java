package dev.braid.decoding;

/**
 * Receives a task's progress on the worker thread; implementations must not block.
 */
public interface GenerationListener {

    /** Tokens newly accepted for sequence {@code sequence}, in order. */
    default void onTokens(int sequence, int[] tokenIds) {
    }

    /**
     * Log-probabilities of tokens about to be reported by {@link #onTokens}, one entry per token;
     * only called for tasks asked to report them ({@link DecodingTask#reportLogprobs}).
     */
    default void onLogprobs(int sequence, TokenLogprobs[] entries) {
    }

    void onComplete(GenerationResult result);

    void onError(Throwable error);
}
