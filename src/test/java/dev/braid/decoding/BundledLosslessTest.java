package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.StrategyRuns.Job;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.decoding.jacobi.JacobiStrategy;
import dev.braid.decoding.lookahead.LookaheadStrategy;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.training.ChatFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled models under lookahead and Jacobi give greedy AR's tokens for 256 new tokens (end
 * tokens ignored, so the text runs past the answer), alone and all in one batch.
 */
class BundledLosslessTest {

    private static final int NEW_TOKENS = 256;
    private static final List<String> QUESTIONS = List.of(
            "List 5 ways to make database queries faster.",
            "What is caching, why does it matter, and how do I start?");

    @ParameterizedTest
    @ValueSource(strings = {"braid-base", "braid-draft", "braid-cllm", "braid-apar"})
    void lookaheadAndJacobiMatchGreedyAr(String name) throws Exception {
        DecodingStrategy ar = new AutoregressiveStrategy();
        List<DecodingStrategy> parallel = List.of(new LookaheadStrategy(), new JacobiStrategy());
        try (LoadedModel model = LoadedModel.load(BundledModels.folder(name).orElseThrow(), Device.cpu())) {
            List<Job> jobs = new ArrayList<>();
            for (String question : QUESTIONS) {
                GenerationRequest request = new GenerationRequest(model.tokenizer().encode(ChatFormat.prompt(question)),
                        SamplingParams.GREEDY, new StopCriteria(Set.of(), List.of(), NEW_TOKENS));
                jobs.add(new Job(ar, request));
                parallel.forEach(strategy -> jobs.add(new Job(strategy, request)));
            }
            List<GenerationResult> alone = StrategyRuns.alone(model, jobs);
            List<GenerationResult> together = StrategyRuns.together(model, jobs, 2048).results();
            int group = parallel.size() + 1;
            for (int i = 0; i < jobs.size(); i++) {
                int[] reference = alone.get(i - i % group).first().tokenIds();
                assertThat(reference).hasSize(NEW_TOKENS);
                assertThat(alone.get(i).first().tokenIds()).as("%s on %s, alone", jobs.get(i).strategy().name(), name)
                        .containsExactly(reference);
                assertThat(together.get(i).first().tokenIds()).as("%s on %s, in a batch", jobs.get(i).strategy().name(), name)
                        .containsExactly(reference);
            }
        }
    }
}
