package dev.braid.decoding;

import dev.braid.model.Tokenizer;

/** A way of decoding: it turns a request into a task that plans steps and consumes their logits. */
public interface DecodingStrategy {

    /** The name used in requests, traces and metrics: {@code ar}, {@code lookahead}, ... */
    String name();

    DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener);
}
