package dev.braid.strategy;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.decoding.DecodingStrategies;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.StandIn;
import dev.braid.decoding.StepPrice;
import dev.braid.registry.Capability;
import dev.braid.registry.ServedModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * Picks the strategy of each request. An explicit choice wins when the engine has the strategy and
 * the model supports it. {@code auto} first rules out what the request cannot use (log-probabilities
 * and {@code n > 1} need {@code ar}; capabilities; greedy-only strategies for sampled requests), then
 * predicts each remaining strategy's tokens per second from its measured acceptance on this model
 * and prompt category and the worker's step cost ({@link Forecast}), and picks the fastest. Until a
 * parallel strategy has been measured enough, rules stand in for the prediction: the load, then
 * each strategy's own {@link StandIn} judgement of the model and prompt; now and then (every {@code explore-every} decisions)
 * a candidate not yet measured enough is tried instead, so that every one comes to be predicted.
 * Strategies come from {@link DecodingStrategies}, so new ones join without changes here.
 */
@Service
public class StrategySelector {

    public static final String AUTO = "auto";
    private static final String AR = DecodingStrategies.baseline();

    private final StrategyStatistics statistics;
    private final StrategyProperties properties;
    private final AtomicLong exploreTicks = new AtomicLong();

    public StrategySelector(StrategyStatistics statistics, StrategyProperties properties) {
        this.statistics = statistics;
        this.properties = properties;
    }

    public StrategyDecision select(ServedModel model, String requested, PromptShape shape) {
        String name = requested == null ? AUTO : requested.toLowerCase(Locale.ROOT);
        if (name.equals(AUTO)) {
            return auto(model, shape);
        }
        if (DecodingStrategies.byName(name).isEmpty()) {
            throw unsupported("unknown strategy '" + requested + "' (known: auto, "
                    + String.join(", ", DecodingStrategies.names()) + ")");
        }
        Optional<String> why = unsupportedBy(model, name, shape);
        if (why.isPresent()) {
            throw unsupported(why.get());
        }
        return new StrategyDecision(name, "requested");
    }

    private StrategyDecision auto(ServedModel model, PromptShape shape) {
        if (shape.logprobs()) {
            return new StrategyDecision(AR, "logprobs requested: only ar reports them");
        }
        if (shape.n() > 1) {
            return new StrategyDecision(AR, "n > 1: parallel sequences already fill the batch");
        }
        List<String> candidates = new ArrayList<>();
        for (String name : DecodingStrategies.names()) {
            if (unsupportedBy(model, name, shape).isEmpty() && preconditionsHold(name, shape)) {
                candidates.add(name);
            }
        }
        if (!candidates.contains(AR)) {
            candidates.add(AR);
        }
        Map<String, StrategyStatistics.Throughput> measured = new LinkedHashMap<>();
        List<String> unmeasured = new ArrayList<>();
        for (String name : candidates) {
            Optional<StrategyStatistics.Throughput> stats = statistics.get(model.name(), name, shape.category())
                    .filter(t -> t.requests() >= properties.minSamples());
            if (stats.isPresent()) {
                measured.put(name, stats.get());
            } else if (!name.equals(AR)) {
                unmeasured.add(name);
            }
        }
        Optional<StrategyDecision> explore = explore(model, shape, unmeasured);
        if (explore.isPresent()) {
            return explore.get();
        }
        if (measured.keySet().stream().anyMatch(name -> !name.equals(AR))) {
            return predicted(model, shape, candidates, measured, unmeasured);
        }
        int load = model.load();
        if (load >= properties.highLoad()) {
            return new StrategyDecision(AR, "worker load " + load + " >= " + properties.highLoad()
                    + ": the batch keeps the device busy, so parallel decoding backs off to ar");
        }
        Set<String> capabilities = capabilityIds(model);
        for (DecodingStrategy strategy : DecodingStrategies.byStandInOrder()) {
            StandIn standIn = strategy.standIn(capabilities, shape.standInPrompt());
            if (candidates.contains(strategy.name()) && standIn.pays()) {
                return new StrategyDecision(strategy.name(), standIn.detail());
            }
        }
        return new StrategyDecision(AR, "no parallel strategy fits: " + ruledOut(model, shape));
    }

    /**
     * What ruled out each parallel strategy when the rules fall back to {@code ar}, grouped by the
     * request or model property to blame: "sampling (temperature 1.0) rules out jacobi and lookahead
     * (greedy only); capability rules out apar (model 'm' is not APAR-tuned); ...". A client reading
     * it learns what to change, e.g. send temperature 0.
     */
    private static String ruledOut(ServedModel model, PromptShape shape) {
        // property -> detail -> strategies, in the engine's order
        Map<String, Map<String, List<String>>> causes = new LinkedHashMap<>();
        for (String name : DecodingStrategies.names()) {
            if (!name.equals(AR)) {
                List<String> cause = cause(model, name, shape);
                causes.computeIfAbsent(cause.get(0), p -> new LinkedHashMap<>())
                        .computeIfAbsent(cause.get(1), d -> new ArrayList<>()).add(name);
            }
        }
        List<String> clauses = new ArrayList<>();
        causes.forEach((property, details) -> {
            List<String> ruled = new ArrayList<>();
            details.forEach((detail, strategies) -> ruled.add(String.join(" and ", strategies) + " (" + detail + ")"));
            clauses.add(property + " rules out " + String.join(" and ", ruled));
        });
        return String.join("; ", clauses);
    }

    /** The property that keeps {@code auto}'s rules from picking {@code strategy}, and a detail. */
    private static List<String> cause(ServedModel model, String strategy, PromptShape shape) {
        DecodingStrategy described = describe(strategy);
        if (described.greedyOnly() && !shape.greedy()) {
            return List.of(String.format(Locale.ROOT, "sampling (temperature %s)", shape.temperature()), "greedy only");
        }
        if (lacksCapability(model, described)) {
            return List.of(StandIn.CAPABILITY, untuned(model, described.requiredCapability()));
        }
        StandIn standIn = described.standIn(capabilityIds(model), shape.standInPrompt());
        if (standIn.pays()) {
            return List.of("the rules", "they prefer another strategy");
        }
        if (standIn.property().equals(StandIn.CAPABILITY)) {
            return List.of(StandIn.CAPABILITY, untuned(model, standIn.detail()));
        }
        return List.of(standIn.property(), standIn.detail());
    }

    private static String untuned(ServedModel model, String capability) {
        return "model '" + model.name() + "' is not " + capability.toUpperCase(Locale.ROOT) + "-tuned";
    }

    private static Set<String> capabilityIds(ServedModel model) {
        return model.capabilities().stream().map(Capability::id).collect(Collectors.toSet());
    }

    private static DecodingStrategy describe(String name) {
        return DecodingStrategies.byName(name).orElseThrow(() -> unsupported("strategy '" + name + "' is not available"));
    }

    private static boolean lacksCapability(ServedModel model, DecodingStrategy strategy) {
        String needs = strategy.requiredCapability();
        return needs != null && Capability.parse(needs).map(c -> !model.capabilities().contains(c)).orElse(true);
    }

    /**
     * On every {@code explore-every}-th decision that leaves a candidate short of samples, the first
     * such candidate: without it only what {@code auto} picks is ever measured.
     */
    private Optional<StrategyDecision> explore(ServedModel model, PromptShape shape, List<String> unmeasured) {
        int every = properties.exploreEvery();
        if (every == 0 || unmeasured.isEmpty() || exploreTicks.incrementAndGet() % every != 0) {
            return Optional.empty();
        }
        String name = unmeasured.get(0);
        long requests = statistics.get(model.name(), name, shape.category())
                .map(StrategyStatistics.Throughput::requests).orElse(0L);
        return Optional.of(new StrategyDecision(name, String.format(Locale.ROOT,
                "exploring: %s has %d of the %d measured requests on %s prompts for %s that a prediction needs",
                name, requests, properties.minSamples(), shape.category(), model.name())));
    }

    /**
     * The candidate with the highest predicted tokens per second: each measured one's tokens and
     * query tokens per step priced by the step cost of the worker the request would join, beside the
     * batch running there; {@code ar} is predicted even unmeasured (one token a step). Unmeasured candidates cannot be
     * predicted and are left to {@link #explore}.
     */
    private StrategyDecision predicted(ServedModel model, PromptShape shape, List<String> candidates,
                                       Map<String, StrategyStatistics.Throughput> measured, List<String> unmeasured) {
        StepPrice batch = model.batch();
        List<Forecast> forecasts = new ArrayList<>();
        for (String name : candidates) {
            StrategyStatistics.Throughput history = measured.get(name);
            if (history != null) {
                forecasts.add(Forecast.of(name, history, batch, shape.promptTokens()));
            } else if (name.equals(AR)) {
                forecasts.add(Forecast.autoregressive(name, batch));
            }
        }
        Forecast best = Forecast.best(forecasts).orElseThrow();
        StringBuilder reason = new StringBuilder(batch.tokens() == 0
                ? String.format(Locale.ROOT, "predicted tokens/s on %s prompts for %s: %s", shape.category(),
                        model.name(), best.describe())
                : String.format(Locale.ROOT, "predicted tokens/s of the batch on %s prompts for %s, beside %d query"
                        + " tokens making %.1f a step: %s", shape.category(), model.name(), batch.tokens(),
                        batch.accepted(), best.describe()));
        forecasts.stream().filter(f -> f != best)
                .sorted(Comparator.comparingDouble(Forecast::tokensPerSecond).reversed())
                .forEach(f -> reason.append("; ").append(f.describe()));
        if (!unmeasured.isEmpty()) {
            reason.append("; not measured yet: ").append(String.join(", ", unmeasured));
        }
        return new StrategyDecision(best.strategy(), reason.toString());
    }

    /** Why {@code model} cannot run {@code strategy} for this request at all, if it cannot. */
    private static Optional<String> unsupportedBy(ServedModel model, String strategy, PromptShape shape) {
        DecodingStrategy described = describe(strategy);
        if (lacksCapability(model, described)) {
            String needs = described.requiredCapability();
            return Optional.of("strategy '" + strategy + "' needs a model fine-tuned for " + needs.toUpperCase(Locale.ROOT)
                    + "; model '" + model.name() + "' does not have the " + needs + " capability");
        }
        if (!described.reportsLogprobs() && shape.logprobs()) {
            List<String> reporting = DecodingStrategies.names().stream()
                    .filter(name -> describe(name).reportsLogprobs()).toList();
            return Optional.of("strategy '" + strategy + "' does not report logprobs; use "
                    + String.join(" or ", reporting) + " or auto");
        }
        return Optional.empty();
    }

    /** Whether {@code auto} may pick a strategy the model supports: one whose gains are greedy only, for greedy requests. */
    private static boolean preconditionsHold(String strategy, PromptShape shape) {
        return !describe(strategy).greedyOnly() || shape.greedy();
    }

    private static ServiceException unsupported(String message) {
        return new ServiceException(ErrorKind.UNSUPPORTED_STRATEGY, "strategy", message);
    }
}
