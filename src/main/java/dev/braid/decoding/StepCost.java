package dev.braid.decoding;

/** What a forward step costs on the device that runs it, as a function of its query tokens. */
@FunctionalInterface
public interface StepCost {

    /** Expected milliseconds of a step that carries {@code tokens} query tokens in all. */
    double millis(int tokens);

    /**
     * What a step pays, beyond its tokens, for each query length its sequences do not share: such a
     * sequence runs its attention as a batch of its own.
     */
    default double groupMillis() {
        return 0;
    }
}
