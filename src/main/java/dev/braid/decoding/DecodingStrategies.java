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
    /**
     * The order in which {@code auto}'s stand-in rules try strategies not yet measured: the one a
     * model was tuned for first, then the one the prompt's shape calls for, then the training-free one.
     */
    private static final List<String> STAND_IN_ORDER = List.of(AparStrategy.NAME, JacobiStrategy.NAME,
            SgdStrategy.NAME, LookaheadStrategy.NAME);

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

    /** The strategy every other is measured against, and what {@code auto} falls back to. */
    public static String baseline() {
        return AutoregressiveStrategy.NAME;
    }

    /** The strategies other than the baseline, in the order {@code auto}'s stand-in rules try them. */
    public static List<DecodingStrategy> byStandInOrder() {
        return STAND_IN_ORDER.stream().map(BY_NAME::get).toList();
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
