package dev.braid.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.braid.metrics.RequestMetricRepository;
import dev.braid.registry.Capability;
import dev.braid.registry.ServedModel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code auto}'s reasons name what ruled the parallel strategies out, so a client knows what to change. */
class StrategySelectorReasonTest {

    private static final StrategyProperties PROPERTIES = new StrategyProperties(16, 20, Duration.ofHours(6),
            Duration.ofHours(1), 0);

    private final RequestMetricRepository repository = mock(RequestMetricRepository.class);
    private final StrategyStatistics statistics = new StrategyStatistics(repository, PROPERTIES);
    private final StrategySelector selector = new StrategySelector(statistics, PROPERTIES);

    @AfterEach
    void stopRefresher() {
        statistics.destroy();
    }

    private ServedModel model(String name, Capability... capabilities) {
        when(repository.totalsSince(any())).thenReturn(List.of());
        statistics.refresh();
        ServedModel model = mock(ServedModel.class);
        when(model.name()).thenReturn(name);
        when(model.capabilities()).thenReturn(Set.of(capabilities));
        return model;
    }

    @Test
    void samplingIsNamedWhenItRulesOutTheGreedyStrategies() {
        StrategyDecision decision = selector.select(model("m"), "auto",
                PromptShape.of("Tell me about caching.", 12, 1.0, 1, false));
        assertThat(decision).isEqualTo(new StrategyDecision("ar", "no parallel strategy fits: sampling "
                + "(temperature 1.0) rules out lookahead and jacobi (greedy only); capability rules out apar "
                + "(model 'm' is not APAR-tuned); the prompt rules out sgd (it does not ask several questions at once)"));
    }

    @Test
    void anAparModelsReasonBlamesThePromptNotTheCapability() {
        StrategyDecision decision = selector.select(model("a", Capability.APAR), "auto",
                PromptShape.of("Tell me about caching.", 12, 0.7, 1, false));
        assertThat(decision.strategy()).isEqualTo("ar");
        assertThat(decision.reason()).contains("sampling (temperature 0.7) rules out lookahead and jacobi",
                "the prompt rules out apar (it asks for no list) and sgd");
    }

    @Test
    void theSameRequestGreedyGetsAParallelStrategy() {
        assertThat(selector.select(model("m"), "auto", PromptShape.of("Tell me about caching.", 12, 0, 1, false))
                .strategy()).isEqualTo("lookahead");
    }

    @Test
    void beforeAnyMeasurementEachStrategysOwnStandInDecidesInTheEnginesOrder() {
        PromptShape list = PromptShape.of("List five ways to cache pages.", 12, 0, 1, false);
        PromptShape multiPart = PromptShape.of("What is a cache, and why does it help?", 12, 0, 1, false);
        PromptShape plain = PromptShape.of("Tell me about caching.", 12, 0, 1, false);
        assertThat(selector.select(model("a", Capability.APAR), "auto", list))
                .isEqualTo(new StrategyDecision("apar", "model is APAR-tuned and the prompt asks for a list"));
        // the tuned model's strategy outranks the prompt's shape
        assertThat(selector.select(model("c", Capability.CLLM), "auto", multiPart))
                .isEqualTo(new StrategyDecision("jacobi", "model is CLLM-tuned and decoding is greedy"));
        assertThat(selector.select(model("m"), "auto", multiPart)).isEqualTo(new StrategyDecision("sgd",
                "the prompt asks several questions at once: SGD plans them as a graph and decodes independent"
                        + " parts in the same steps"));
        assertThat(selector.select(model("m"), "auto", plain)).isEqualTo(new StrategyDecision("lookahead",
                "greedy decoding: lookahead needs no training and verifies its guesses exactly"));
        // sampled, the greedy-only strategies drop out and SGD still plans a multi-part prompt
        assertThat(selector.select(model("c", Capability.CLLM), "auto",
                PromptShape.of("What is a cache, and why does it help?", 12, 0.8, 1, false)).strategy())
                .isEqualTo("sgd");
    }

    @Test
    void anUnknownStrategyIsRefusedWithTheEnginesList() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> selector.select(model("m"), "warp",
                        PromptShape.of("Tell me about caching.", 12, 0, 1, false)))
                .isInstanceOf(dev.braid.common.ServiceException.class)
                .hasMessage("unknown strategy 'warp' (known: auto, ar, lookahead, jacobi, apar, sgd)");
    }
}
