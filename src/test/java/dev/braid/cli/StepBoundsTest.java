package dev.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.braid.model.LoadedModel;
import dev.braid.model.ModelConfig;
import dev.braid.model.ReferenceCase;
import dev.braid.model.StepProfile;
import dev.braid.model.Transformer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepBoundsTest {

    @Test
    void boundsCountStreamedWeightsCachedRowsAndProducts() {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu())) {
            Transformer t = model.transformer();
            ModelConfig c = t.config();
            // an untied embedding is looked up, not streamed: the weights a step reads are the rest
            long embedding = (long) c.vocabSize() * c.hiddenSize() * Float.BYTES;
            assertThat(t.streamedWeightBytes()).isEqualTo(t.parameterCount() * Float.BYTES
                    - (c.tieWordEmbeddings() ? 0 : embedding));

            // two steps: 6 query tokens, 40 cached rows read, 100 scored (query, key) pairs
            StepProfile.Totals steps = new StepProfile.Totals(2, 6, 40, 100, new double[StepProfile.Phase.values().length]);
            StepBounds.Host host = new StepBounds.Host(10, 50);
            Map<String, Object> row = StepBounds.row(t, host, steps, 1.0);

            double kvRow = 2.0 * c.numLayers() * c.numKvHeads() * c.headDim() * Float.BYTES;
            double memoryMs = (t.streamedWeightBytes() + kvRow * 20) / 10e9 * 1e3;
            double computeMs = (2.0 * t.streamedParameters() * 3
                    + 4.0 * c.numLayers() * c.numHeads() * c.headDim() * 50) / 50e9 * 1e3;
            assertThat((double) row.get("memory_bound_ms")).isCloseTo(memoryMs, within(0.0011));
            assertThat((double) row.get("compute_bound_ms")).isCloseTo(computeMs, within(0.0011));
            assertThat((double) row.get("step_vs_bound")).isCloseTo(1.0 / Math.max(memoryMs, computeMs), within(0.011));
        }
    }

    @Test
    void theHostIsMeasuredOnTheModelsDevice() {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu())) {
            StepBounds.Host host = StepBounds.measure(model.transformer());
            assertThat(host.memoryGbPerSecond()).isBetween(0.1, 10_000.0);
            assertThat(host.matmulGflopPerSecond()).isBetween(0.1, 1_000_000.0);
        }
    }
}
