package dev.braid.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a checkpoint was trained for, beyond plain next-token prediction. */
public enum Capability {
    /** Fine-tuned to fork parallel branches (APAR). */
    APAR,
    /** Consistency-trained (CLLM) so that Jacobi iterations converge in few steps. */
    CLLM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Capability> parse(String id) {
        return Arrays.stream(values()).filter(c -> c.id().equals(id)).findFirst();
    }
}
