package dev.braid.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

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
 * {@code auto}'s learned path without Spring: statistics read from a stubbed metrics repository,
 * a model stub that says only its name, load and capabilities.
 */
class StrategySelectorLearnedTest {

    private static final int MIN_SAMPLES = 20;
    private static final StrategyProperties PROPERTIES = new StrategyProperties(16, MIN_SAMPLES, Duration.ofHours(6),
            Duration.ofHours(1), 0);
    /** A short (under 64 tokens), greedy, single-part prompt: the rules give it lookahead. */
    private static final PromptShape SHORT_GREEDY = PromptShape.of("Tell me about caching.", 12, 0, 1, false);

    private final RequestMetricRepository repository = mock(RequestMetricRepository.class);
    private final List<RequestMetricRepository.StrategyTotals> rows = new ArrayList<>();
    private final StrategyStatistics statistics = new StrategyStatistics(repository, PROPERTIES);
    private final StrategySelector selector = new StrategySelector(statistics, PROPERTIES);

    @AfterEach
    void stopRefresher() {
        statistics.destroy();
    }

    private static ServedModel model(String name, int load, Capability... capabilities) {
        ServedModel model = mock(ServedModel.class);
        when(model.name()).thenReturn(name);
        when(model.load()).thenReturn(load);
        when(model.capabilities()).thenReturn(Set.of(capabilities));
        return model;
    }

    /** {@code requests} completed requests that made {@code tokensPerSecond} on average. */
    private void measured(String model, String strategy, String category, long requests, double tokensPerSecond) {
        long tokens = requests * 100;
        double latencyMs = tokens * 1000.0 / tokensPerSecond;
        rows.add(totals(model, strategy, category, requests, tokens, latencyMs, tokens / 2));
    }

    private static RequestMetricRepository.StrategyTotals totals(String model, String strategy, String category,
                                                                 long requests, Long tokens, Double latencyMs,
                                                                 Long steps) {
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
        };
    }

    private void refresh() {
        when(repository.totalsSince(any())).thenReturn(List.copyOf(rows));
        statistics.refresh();
    }

    @Test
    void withEnoughSamplesAutoPicksTheHigherLearnedThroughput() {
        measured("m", "lookahead", "short", 40, 30.0);
        measured("m", "sgd", "short", 25, 55.0);
        measured("m", "ar", "short", 60, 20.0);
        refresh();
        StrategyDecision decision = selector.select(model("m", 0), "auto", SHORT_GREEDY);
        assertThat(decision.strategy()).isEqualTo("sgd");
        assertThat(decision.reason()).isEqualTo("learned: sgd is fastest on short prompts for m "
                + "(55.0 tokens/s over 25 requests)");
    }

    @Test
    void theRulesDecideBelowMinSamples() {
        measured("m", "sgd", "short", MIN_SAMPLES - 1, 500.0);
        measured("m", "ar", "short", MIN_SAMPLES - 1, 400.0);
        refresh();
        StrategyDecision decision = selector.select(model("m", 0), "auto", SHORT_GREEDY);
        assertThat(decision.strategy()).as("greedy, one part, no capabilities: the rules say lookahead")
                .isEqualTo("lookahead");
        assertThat(decision.reason()).doesNotStartWith("learned");
    }

    @Test
    void exactlyMinSamplesIsEnough() {
        measured("m", "jacobi", "short", MIN_SAMPLES, 80.0);
        measured("m", "ar", "short", MIN_SAMPLES, 40.0);
        refresh();
        assertThat(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy()).isEqualTo("jacobi");
    }

    @Test
    void oneMeasuredStrategyIsNoComparison() {
        // sgd is measured and fast, everything else is below min-samples: nothing to compare it with
        measured("m", "sgd", "short", 100, 90.0);
        measured("m", "ar", "short", 3, 10.0);
        refresh();
        StrategyDecision decision = selector.select(model("m", 0), "auto", SHORT_GREEDY);
        assertThat(decision.strategy()).isEqualTo("lookahead");
        assertThat(decision.reason()).doesNotStartWith("learned");
    }

    @Test
    void everyNthRuleDecisionTriesACandidateThatLacksSamplesUntilLearningTakesOver() {
        StrategyProperties exploring = new StrategyProperties(16, MIN_SAMPLES, Duration.ofHours(6), Duration.ofHours(1), 3);
        StrategySelector selector = new StrategySelector(statistics, exploring);
        measured("m", "ar", "short", MIN_SAMPLES - 1, 50.0);
        refresh();
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy());
        }
        // candidates in engine order: ar first, still one request short of min-samples
        assertThat(picks).containsExactly("lookahead", "lookahead", "ar", "lookahead", "lookahead", "ar");

        rows.clear();
        measured("m", "ar", "short", MIN_SAMPLES, 50.0);
        measured("m", "jacobi", "short", MIN_SAMPLES, 40.0);
        refresh();
        // ar and jacobi are measured enough now: learned throughput decides before any exploring
        picks.clear();
        for (int i = 0; i < 3; i++) {
            picks.add(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy());
        }
        assertThat(picks).as("learned picks the faster measured one")
                .containsExactly("ar", "ar", "ar");
    }

    @Test
    void statisticsCountOnlyForTheirOwnModelAndPromptCategory() {
        measured("other", "sgd", "short", 50, 90.0);
        measured("other", "ar", "short", 50, 10.0);
        measured("m", "sgd", "medium", 50, 90.0);
        measured("m", "ar", "medium", 50, 10.0);
        refresh();
        assertThat(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy()).isEqualTo("lookahead");

        PromptShape medium = PromptShape.of("Tell me about caching.", 100, 0, 1, false);
        assertThat(medium.category()).isEqualTo("medium");
        StrategyDecision decision = selector.select(model("m", 0), "auto", medium);
        assertThat(decision.strategy()).isEqualTo("sgd");
        assertThat(decision.reason()).contains("on medium prompts for m");
    }

    @Test
    void aFastStrategyTheRequestCannotUseIsNeverPicked() {
        // apar needs the capability; jacobi and lookahead need greedy decoding
        measured("m", "apar", "short", 50, 500.0);
        measured("m", "jacobi", "short", 50, 400.0);
        measured("m", "lookahead", "short", 50, 300.0);
        measured("m", "sgd", "short", 50, 30.0);
        measured("m", "ar", "short", 50, 20.0);
        refresh();
        PromptShape sampled = PromptShape.of("Tell me about caching.", 12, 1.0, 1, false);
        assertThat(selector.select(model("m", 0), "auto", sampled).strategy()).isEqualTo("sgd");
        assertThat(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy()).isEqualTo("jacobi");
        assertThat(selector.select(model("m", 0, Capability.APAR), "auto", SHORT_GREEDY).strategy())
                .isEqualTo("apar");
    }

    @Test
    void whatTheRequestNeedsAndTheLoadComeBeforeLearnedThroughput() {
        measured("m", "sgd", "short", 50, 90.0);
        measured("m", "ar", "short", 50, 10.0);
        refresh();
        assertThat(selector.select(model("m", 0), "auto", PromptShape.of("Hi", 2, 0, 1, true)).strategy())
                .as("logprobs").isEqualTo("ar");
        assertThat(selector.select(model("m", 0), "auto", PromptShape.of("Hi", 2, 0, 2, false)).strategy())
                .as("n > 1").isEqualTo("ar");
        StrategyDecision busy = selector.select(model("m", 16), "auto", SHORT_GREEDY);
        assertThat(busy.strategy()).isEqualTo("ar");
        assertThat(busy.reason()).startsWith("worker load 16 >= 16");
        assertThat(selector.select(model("m", 0), "lookahead", SHORT_GREEDY))
                .as("an explicit choice wins").isEqualTo(new StrategyDecision("lookahead", "requested"));
    }

    @Test
    void aRefreshReplacesTheSnapshotAndReadsTheConfiguredWindow() {
        measured("m", "sgd", "short", 50, 90.0);
        measured("m", "ar", "short", 50, 10.0);
        refresh();
        assertThat(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy()).isEqualTo("sgd");

        rows.clear();
        measured("m", "sgd", "short", 50, 10.0);
        measured("m", "ar", "short", 50, 90.0);
        Instant before = Instant.now();
        refresh();
        assertThat(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy()).isEqualTo("ar");

        ArgumentCaptor<Instant> since = ArgumentCaptor.forClass(Instant.class);
        verify(repository, times(2)).totalsSince(since.capture());
        assertThat(Duration.between(since.getValue(), before).abs().minus(PROPERTIES.statsWindow()).abs())
                .isLessThan(Duration.ofMinutes(1));

        rows.clear();
        refresh();
        assertThat(statistics.get("m", "sgd", "short")).as("rows outside the window are forgotten").isEmpty();
    }

    @Test
    void throughputIsCompletionTokensPerSecondOfLatency() {
        rows.add(totals("m", "sgd", "short", 30, 600L, 12_000.0, 200L));
        rows.add(totals("m", "ar", "short", 30, null, null, null));
        rows.add(totals("m", "lookahead", "short", 30, 500L, 0.0, 0L));
        refresh();
        StrategyStatistics.Throughput sgd = statistics.get("m", "sgd", "short").orElseThrow();
        assertThat(sgd.requests()).isEqualTo(30);
        assertThat(sgd.tokensPerSecond()).isCloseTo(50.0, within(1e-9));
        assertThat(sgd.tokensPerStep()).isCloseTo(3.0, within(1e-9));
        assertThat(statistics.get("m", "ar", "short").orElseThrow())
                .isEqualTo(new StrategyStatistics.Throughput(30, 0, 0));
        assertThat(statistics.get("m", "lookahead", "short").orElseThrow().tokensPerSecond())
                .as("no latency recorded: no throughput claimed").isZero();
        // the unmeasured ones count as measured but slowest, so sgd still wins on learned throughput
        assertThat(selector.select(model("m", 0), "auto", SHORT_GREEDY).strategy()).isEqualTo("sgd");
    }
}
