package dev.braid.decoding.jacobi;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyRuns;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JacobiSamplingTest {

    /** Jacobi is greedy only: a sampled request decodes as AR does, draw for draw with the same seed. */
    @Test
    void sampledRequestsDecodeAutoregressively() throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu())) {
            GenerationRequest request = new GenerationRequest(ReferenceCase.load("llama-tiny").get(3).promptIds(),
                    new SamplingParams(0.8, 40, 0.95, 17L), new StopCriteria(Set.of(), List.of(), 60));
            List<GenerationResult> results = StrategyRuns.alone(model, List.of(
                    new StrategyRuns.Job(new AutoregressiveStrategy(), request),
                    new StrategyRuns.Job(new JacobiStrategy(), request)));
            GenerationResult jacobi = results.get(1);
            assertThat(jacobi.strategy()).isEqualTo("jacobi");
            assertThat(jacobi.first().tokenIds()).containsExactly(results.get(0).first().tokenIds());
            assertThat(jacobi.steps()).isEqualTo(jacobi.completionTokens());
        }
    }

}
