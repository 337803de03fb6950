package dev.braid.decoding;

/**
 * Receives a task's progress on the worker thread; implementations must not block.
 */
public interface GenerationListener {

    /** Tokens newly accepted for sequence {@code sequence}, in order. */
    default void onTokens(int sequence, int[] tokenIds) {
    }

    void onComplete(GenerationResult result);

    void onError(Throwable error);
}
