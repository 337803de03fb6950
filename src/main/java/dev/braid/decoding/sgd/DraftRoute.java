package dev.braid.decoding.sgd;

import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;

/**
 * Where SGD sends its easy points: a smaller partner model that shares the target's tokenizer,
 * running on its own worker. The decoding package never reaches a worker itself (DESIGN.md), so
 * whoever builds the strategy supplies the route, e.g. one that submits an AR task to the draft
 * model's worker pool.
 */
public interface DraftRoute {

    /** The draft model's name, as traces show it. */
    String model();

    /**
     * Starts decoding {@code request} on the draft model and returns at once; {@code listener}
     * hears the result on any thread.
     */
    Handle decode(GenerationRequest request, GenerationListener listener);

    /** A draft decode in flight, cancelled when the SGD task that asked for it is. */
    @FunctionalInterface
    interface Handle {
        void cancel();
    }
}
