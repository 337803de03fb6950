package dev.braid.decoding;

/** A way of decoding: it turns a request into a task that plans steps and consumes their logits. */
public interface DecodingStrategy {

    /** The name used in requests, traces and metrics: {@code ar}, {@code lookahead}, ... */
    String name();

    DecodingTask newTask(GenerationRequest request, TokenDecoder decoder, GenerationListener listener);
}
