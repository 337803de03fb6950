package dev.braid.decoding;

import dev.braid.decoding.apar.AparStrategy;
import dev.braid.decoding.apar.SerialAparStrategy;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.decoding.jacobi.JacobiStrategy;
import dev.braid.decoding.lookahead.LookaheadStrategy;
import dev.braid.decoding.sgd.SgdStrategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The strategies the engine can run, by their request name. */
public final class DecodingStrategies {

    private static final Map<String, DecodingStrategy> BY_NAME = new LinkedHashMap<>();
    private static final List<DecodingStrategy> SUBSTITUTES = List.of(new SerialAparStrategy());

    static {
        register(new AutoregressiveStrategy());
        register(new LookaheadStrategy());
        register(new JacobiStrategy());
        register(new AparStrategy());
        register(new SgdStrategy());
    }

    private DecodingStrategies() {
    }

    private static void register(DecodingStrategy strategy) {
        BY_NAME.put(strategy.name(), strategy);
    }

    public static Optional<DecodingStrategy> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    /**
     * Strategies the service runs in place of a requested one, never requested by name: an
     * APAR-tuned model decodes ar, jacobi and lookahead requests as apar-serial. Results and
     * metrics rows carry their names.
     */
    public static List<DecodingStrategy> substitutes() {
        return SUBSTITUTES;
    }

    /** The strategy of that name the engine runs: a requestable one or a substitute. */
    public static Optional<DecodingStrategy> runnable(String name) {
        return byName(name).or(() -> SUBSTITUTES.stream().filter(s -> s.name().equals(name)).findFirst());
    }
}
