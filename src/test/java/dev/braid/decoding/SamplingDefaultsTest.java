package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.GenerationConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request's sampling: its own values, then the model's generation_config.json, then the caller's defaults. */
class SamplingDefaultsTest {

    private static GenerationConfig model(Double temperature, Double topP, Integer topK) {
        return new GenerationConfig(null, List.of(0), temperature, topP, topK, null);
    }

    @Test
    void theModelsValuesFillWhatTheRequestLeavesOut() {
        SamplingDefaults defaults = SamplingDefaults.OPENAI.under(model(0.6, 0.9, 50));
        assertThat(defaults.apply(null, null, null, 7L)).isEqualTo(new SamplingParams(0.6, 50, 0.9, 7L));
        assertThat(defaults.apply(1.2, null, 0.5, null)).isEqualTo(new SamplingParams(1.2, 50, 0.5, null));
        assertThat(defaults.apply(null, -1, null, null)).as("top_k -1 is off").isEqualTo(new SamplingParams(0.6, 0, 0.9, null));
    }

    @Test
    void aModelThatSaysNothingLeavesTheCallersDefaults() {
        assertThat(SamplingDefaults.OPENAI.under(model(null, null, null)).apply(null, null, null, null))
                .isEqualTo(new SamplingParams(1, 0, 1, null));
        assertThat(SamplingDefaults.GREEDY.under(model(null, null, null)).apply(null, null, null, null).greedy()).isTrue();
    }

    @Test
    void aGreedyModelDefaultIsGreedyUntilTheRequestSamples() {
        SamplingDefaults defaults = SamplingDefaults.OPENAI.under(model(0.0, null, -1));
        assertThat(defaults.apply(null, null, null, null)).isEqualTo(new SamplingParams(0, 0, 1, null));
        assertThat(defaults.apply(0.8, null, null, 3L).greedy()).isFalse();
    }
}
