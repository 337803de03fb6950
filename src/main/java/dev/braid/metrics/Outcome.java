package dev.braid.metrics;

/** How a request ended, as the {@code outcome} column and meter tag spell it. */
public enum Outcome {
    /** Generated to a stop condition. */
    OK,
    /** The client went away or cancelled; decoding stopped early. */
    CANCELLED,
    /** The engine failed while generating. */
    ERROR,
    /** Refused before any decoding: bad input, unknown model, full queue, not ready. */
    REJECTED;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
