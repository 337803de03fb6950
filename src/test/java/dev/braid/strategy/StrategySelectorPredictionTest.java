package dev.braid.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.braid.decoding.StepCost;
import dev.braid.decoding.StepPrice;
import dev.braid.metrics.RequestMetricRepository;
import dev.braid.registry.Capability;
import dev.braid.registry.ServedModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * {@code auto}'s prediction without Spring: acceptance history read from a stubbed metrics repository,
 * a model stub that says its name, load, capabilities and the batch (and its step cost) a request joins.
 */
class StrategySelectorPredictionTest {

    private static final int MIN_SAMPLES = 20;
    private static final StrategyProperties PROPERTIES = new StrategyProperties(16, MIN_SAMPLES, Duration.ofHours(6),
            Duration.ofHours(1), 0);
    /** A short (under 64 tokens), greedy, single-part prompt: the rules give it lookahead. */
    private static final PromptShape SHORT_GREEDY = PromptShape.of("Tell me about caching.", 12, 0, 1, false);
    /** A GPU's step: as long for 64 query tokens as for one. */
    private static final StepCost FLAT = tokens -> 10.0;
    /** A CPU's step: a fixed part and a price per query token. */
    private static final StepCost SLOPED = tokens -> 5.0 + 0.5 * tokens;

    private final RequestMetricRepository repository = mock(RequestMetricRepository.class);
    private final List<RequestMetricRepository.StrategyTotals> rows = new ArrayList<>();
    private final StrategyStatistics statistics = new StrategyStatistics(repository, PROPERTIES);
    private final StrategySelector selector = new StrategySelector(statistics, PROPERTIES);

    @AfterEach
    void stopRefresher() {
        statistics.destroy();
    }

    private static ServedModel model(String name, int load, StepCost cost, Capability... capabilities) {
        ServedModel model = mock(ServedModel.class);
        when(model.name()).thenReturn(name);
        when(model.load()).thenReturn(load);
        // the requests already running make plain steps: one token each for the one query token they feed
        when(model.batch()).thenReturn(new StepPrice(cost, load, load));
        when(model.capabilities()).thenReturn(Set.of(capabilities));
        return model;
    }

    /** {@code requests} completed requests of 100 tokens each whose steps made and carried these many tokens. */
    private void measured(String model, String strategy, String category, long requests, double tokensPerStep,
                          double queryTokensPerStep) {
        long tokens = requests * 100;
        long steps = Math.round(tokens / tokensPerStep);
        rows.add(totals(model, strategy, category, requests, tokens, 1000.0 * requests, steps,
                Math.round(steps * queryTokensPerStep)));
    }

    private static RequestMetricRepository.StrategyTotals totals(String model, String strategy, String category,
                                                                 long requests, Long tokens, Double latencyMs,
                                                                 Long steps, Long queryTokens) {
        return new RequestMetricRepository.StrategyTotals() {
            public String getModel() {
                return model;
            }

            public String getStrategy() {
                return strategy;
            }

            public String getPromptCategory() {
                return category;
            }

            public long getRequests() {
                return requests;
            }

            public Long getCompletionTokens() {
                return tokens;
            }

            public Double getLatencyMs() {
                return latencyMs;
            }

            public Long getSteps() {
                return steps;
            }

            public Long getQueryTokens() {
                return queryTokens;
            }
        };
    }

    private void refresh() {
        when(repository.totalsSince(any())).thenReturn(List.copyOf(rows));
        statistics.refresh();
    }

    @Test
    void autoPicksTheHighestPredictedTokensPerSecondAndGivesThePrediction() {
        measured("m", "lookahead", "short", 40, 1.25, 25);
        measured("m", "jacobi", "short", 25, 2.5, 10);
        refresh();
        StrategyDecision decision = selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY);
        assertThat(decision.strategy()).isEqualTo("jacobi");
        assertThat(decision.reason()).isEqualTo("predicted tokens/s on short prompts for m: "
                + "jacobi 250.0 tokens/s (2.50 tokens a step of 10.0 query tokens at 10.0 ms); "
                + "lookahead 125.0 tokens/s (1.25 tokens a step of 25.0 query tokens at 10.0 ms); "
                + "ar 100.0 tokens/s (1.00 tokens a step of 1.0 query tokens at 10.0 ms, unmeasured: one a step); "
                + "not measured yet: sgd");
    }

    @Test
    void theSameAcceptancePaysOnAFlatStepAndNotOnASlopedOne() {
        // 1.3 tokens a step for 10 query tokens: on the CPU's curve that step costs 10 ms against AR's 5.5
        measured("m", "jacobi", "short", 30, 1.3, 10);
        refresh();
        assertThat(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).strategy()).isEqualTo("jacobi");
        StrategyDecision cpu = selector.select(model("m", 0, SLOPED), "auto", SHORT_GREEDY);
        assertThat(cpu.strategy()).isEqualTo("ar");
        assertThat(cpu.reason()).contains("ar 181.8 tokens/s", "jacobi 130.0 tokens/s");
    }

    @Test
    void underLoadGuessesArePricedAgainstTheWholeBatch() {
        // alone: 2 tokens for 7 ms beat 1 for 5.5 ms; beside 20 requests a step of 24 tokens (17 ms)
        // makes 22 where one of 21 (15.5 ms) makes 21
        measured("m", "jacobi", "short", 30, 2.0, 4);
        refresh();
        assertThat(selector.select(model("m", 0, SLOPED), "auto", SHORT_GREEDY).strategy()).isEqualTo("jacobi");
        StrategyDecision busy = selector.select(model("m", 20, SLOPED), "auto", SHORT_GREEDY);
        assertThat(busy.strategy()).isEqualTo("ar");
        assertThat(busy.reason()).startsWith("predicted tokens/s of the batch on short prompts for m, beside 20 query"
                + " tokens making 20.0 a step: ar 1354.8 tokens/s");
    }

    @Test
    void besideOthersAGuessingRequestPaysForAQueryLengthOfItsOwn() {
        StepCost grouped = new StepCost() {
            public double millis(int tokens) {
                return 5.0 + 0.5 * tokens;
            }

            public double groupMillis() {
                return 3.0;
            }
        };
        // beside 4 plain steps: 6 tokens for 8.5 ms beat 5 for 7.5 ms, but not for 11.5 with the group
        measured("m", "jacobi", "short", 30, 2.0, 3);
        refresh();
        assertThat(selector.select(model("m", 4, SLOPED), "auto", SHORT_GREEDY).strategy()).isEqualTo("jacobi");
        StrategyDecision decision = selector.select(model("m", 4, grouped), "auto", SHORT_GREEDY);
        assertThat(decision.strategy()).isEqualTo("ar");
        assertThat(decision.reason()).contains("ar 666.7 tokens/s", "jacobi 521.7 tokens/s (2.00 tokens a step of 3.0"
                + " query tokens at 11.5 ms)");
    }

    @Test
    void aStepOfFractionalQueryTokensCostsBetweenItsNeighbours() {
        StepCost steps = tokens -> tokens == 2 ? 8.0 : tokens == 3 ? 12.0 : 100.0;
        Forecast forecast = Forecast.of("jacobi", new StrategyStatistics.Throughput(30, 0, 2.0, 2.25),
                new StepPrice(steps, 0, 0), 0);
        assertThat(forecast.stepMillis()).isCloseTo(9.0, within(1e-9));
        assertThat(forecast.tokensPerSecond()).isCloseTo(2000.0 / 9.0, within(1e-9));
    }

    @Test
    void eachQueryTokenBeyondTheFirstAttendsOverThePrompt() {
        StepCost steps = new StepCost() {
            @Override
            public double millis(int tokens) {
                return tokens == 2 ? 8.0 : tokens == 3 ? 12.0 : 100.0;
            }

            @Override
            public double contextMillis() {
                return 0.001;
            }
        };
        StrategyStatistics.Throughput history = new StrategyStatistics.Throughput(30, 0, 2.0, 2.25);
        // 1.25 query tokens beyond the first, each over 400 prompt tokens at 1 µs a token: 0.5 ms more
        assertThat(Forecast.of("jacobi", history, new StepPrice(steps, 0, 0), 400).stepMillis())
                .isCloseTo(9.5, within(1e-9));
        // plain decoding's one token a step pays the context in the learned offset, priced for all alike
        assertThat(Forecast.autoregressive("ar", new StepPrice(steps, 0, 0)).stepMillis()).isEqualTo(100.0);
    }

    @Test
    void theRulesDecideUntilAParallelStrategyHasMinSamples() {
        measured("m", "sgd", "short", MIN_SAMPLES - 1, 5.0, 5.0);
        measured("m", "ar", "short", 100, 1.0, 1.0);
        refresh();
        StrategyDecision decision = selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY);
        assertThat(decision.strategy()).as("greedy, one part, no capabilities: the rules say lookahead")
                .isEqualTo("lookahead");
        assertThat(decision.reason()).doesNotStartWith("predicted");

        rows.clear();
        measured("m", "sgd", "short", MIN_SAMPLES, 5.0, 5.0);
        refresh();
        assertThat(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).strategy())
                .as("exactly min-samples is enough").isEqualTo("sgd");
    }

    @Test
    void everyNthDecisionTriesACandidateThatLacksSamples() {
        StrategyProperties exploring = new StrategyProperties(16, MIN_SAMPLES, Duration.ofHours(6), Duration.ofHours(1), 3);
        StrategySelector selector = new StrategySelector(statistics, exploring);
        measured("m", "jacobi", "short", MIN_SAMPLES, 1.5, 3);
        refresh();
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).strategy());
        }
        // jacobi is predicted faster than ar; lookahead (first unmeasured in engine order) gets every third
        assertThat(picks).containsExactly("jacobi", "jacobi", "lookahead", "jacobi", "jacobi", "lookahead");
        assertThat(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).reason())
                .endsWith("not measured yet: lookahead, sgd");

        rows.clear();
        for (String name : List.of("jacobi", "lookahead", "sgd")) {
            measured("m", name, "short", MIN_SAMPLES, 1.5, 3);
        }
        refresh();
        picks.clear();
        for (int i = 0; i < 3; i++) {
            picks.add(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).reason());
        }
        assertThat(picks).as("every candidate measured: nothing left to explore").allMatch(r -> r.startsWith("predicted"));
    }

    @Test
    void historyCountsOnlyForItsOwnModelAndPromptCategory() {
        measured("other", "sgd", "short", 50, 4.0, 4.0);
        measured("m", "sgd", "medium", 50, 4.0, 4.0);
        refresh();
        assertThat(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).strategy()).isEqualTo("lookahead");

        PromptShape medium = PromptShape.of("Tell me about caching.", 100, 0, 1, false);
        assertThat(medium.category()).isEqualTo("medium");
        StrategyDecision decision = selector.select(model("m", 0, FLAT), "auto", medium);
        assertThat(decision.strategy()).isEqualTo("sgd");
        assertThat(decision.reason()).contains("on medium prompts for m");
    }

    @Test
    void aFastStrategyTheRequestCannotUseIsNeverPicked() {
        // apar needs the capability; jacobi and lookahead need greedy decoding
        measured("m", "apar", "short", 50, 5.0, 5.0);
        measured("m", "jacobi", "short", 50, 4.0, 4.0);
        measured("m", "lookahead", "short", 50, 3.0, 3.0);
        measured("m", "sgd", "short", 50, 2.0, 2.0);
        refresh();
        PromptShape sampled = PromptShape.of("Tell me about caching.", 12, 1.0, 1, false);
        assertThat(selector.select(model("m", 0, FLAT), "auto", sampled).strategy()).isEqualTo("sgd");
        assertThat(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).strategy()).isEqualTo("jacobi");
        assertThat(selector.select(model("m", 0, FLAT, Capability.APAR), "auto", SHORT_GREEDY).strategy())
                .isEqualTo("apar");
    }

    @Test
    void whatTheRequestNeedsComesFirstAndTheLoadRuleOnlyStandsInForAPrediction() {
        assertThat(selector.select(model("m", 0, FLAT), "auto", PromptShape.of("Hi", 2, 0, 1, true)).strategy())
                .as("logprobs").isEqualTo("ar");
        assertThat(selector.select(model("m", 0, FLAT), "auto", PromptShape.of("Hi", 2, 0, 2, false)).strategy())
                .as("n > 1").isEqualTo("ar");
        StrategyDecision busy = selector.select(model("m", 16, FLAT), "auto", SHORT_GREEDY);
        assertThat(busy.strategy()).isEqualTo("ar");
        assertThat(busy.reason()).startsWith("worker load 16 >= 16");
        assertThat(selector.select(model("m", 0, FLAT), "lookahead", SHORT_GREEDY))
                .as("an explicit choice wins").isEqualTo(new StrategyDecision("lookahead", "requested"));

        measured("m", "sgd", "short", 50, 4.0, 4.0);
        refresh();
        assertThat(selector.select(model("m", 16, FLAT), "auto", SHORT_GREEDY).strategy())
                .as("a flat step makes guesses free at any load").isEqualTo("sgd");
    }

    @Test
    void aRefreshReplacesTheSnapshotAndReadsTheConfiguredWindow() {
        measured("m", "sgd", "short", 50, 3.0, 3.0);
        refresh();
        assertThat(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).strategy()).isEqualTo("sgd");

        rows.clear();
        measured("m", "sgd", "short", 50, 0.5, 3.0);
        Instant before = Instant.now();
        refresh();
        assertThat(selector.select(model("m", 0, FLAT), "auto", SHORT_GREEDY).strategy()).isEqualTo("ar");

        ArgumentCaptor<Instant> since = ArgumentCaptor.forClass(Instant.class);
        verify(repository, times(2)).totalsSince(since.capture());
        assertThat(Duration.between(since.getValue(), before).abs().minus(PROPERTIES.statsWindow()).abs())
                .isLessThan(Duration.ofMinutes(1));

        rows.clear();
        refresh();
        assertThat(statistics.get("m", "sgd", "short")).as("rows outside the window are forgotten").isEmpty();
    }

    @Test
    void historyIsTokensPerSecondOfLatencyAndTokensAndQueryTokensPerStep() {
        rows.add(totals("m", "sgd", "short", 30, 600L, 12_000.0, 200L, 900L));
        rows.add(totals("m", "ar", "short", 30, null, null, null, null));
        refresh();
        StrategyStatistics.Throughput sgd = statistics.get("m", "sgd", "short").orElseThrow();
        assertThat(sgd.requests()).isEqualTo(30);
        assertThat(sgd.tokensPerSecond()).isCloseTo(50.0, within(1e-9));
        assertThat(sgd.tokensPerStep()).isCloseTo(3.0, within(1e-9));
        assertThat(sgd.queryTokensPerStep()).isCloseTo(4.5, within(1e-9));
        assertThat(statistics.get("m", "ar", "short").orElseThrow())
                .isEqualTo(new StrategyStatistics.Throughput(30, 0, 0, 0));
    }
}
