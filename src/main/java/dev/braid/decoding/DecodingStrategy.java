package dev.braid.decoding;

import dev.braid.model.Tokenizer;
import java.util.Set;

/** A way of decoding: it turns a request into a task that plans steps and consumes their logits. */
public interface DecodingStrategy {

    /** The name used in requests, traces and metrics: {@code ar}, {@code lookahead}, ... */
    String name();

    /** Whether its gains hold for greedy decoding only, so {@code auto} leaves it out for a sampled request. */
    default boolean greedyOnly() {
        return false;
    }

    /**
     * Whether its greedy answers are plain greedy decoding's, token for token: it changes only how
     * many steps they take.
     */
    default boolean lossless() {
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

    /**
     * Whether {@code auto} should expect it to beat {@code ar} on this prompt and a model with these
     * capabilities (the registry's ids) before it has been measured there.
     */
    default StandIn standIn(Set<String> capabilities, StandIn.Prompt prompt) {
        return StandIn.noRule();
    }

    DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener);
}
