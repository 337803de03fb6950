package dev.braid.decoding;

import dev.braid.model.Tokenizer;

/** A way of decoding: it turns a request into a task that plans steps and consumes their logits. */
public interface DecodingStrategy {

    /** The name used in requests, traces and metrics: {@code ar}, {@code lookahead}, ... */
    String name();

    /** Whether its gains hold for greedy decoding only, so {@code auto} leaves it out for a sampled request. */
    default boolean greedyOnly() {
        return false;
    }

    /** Whether it reports each token's log-probabilities ({@code logprobs}). */
    default boolean reportsLogprobs() {
        return false;
    }

    /** The model capability (the registry's id, e.g. {@code apar}) it cannot run without, or null. */
    default String requiredCapability() {
        return null;
    }

    DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener);
}
