package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.StrategyRuns.Job;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.training.ChatFormat;
import dev.braid.worker.WorkerSettings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prompt prefilled in chunks of a few tokens per step gives the same greedy answer as one
 * prefilled in a single step, for every strategy; under AR it takes one step per chunk more.
 */
class ChunkedPrefillTest {

    private static final int NEW_TOKENS = 24;
    private static final int CHUNK = 8;

    @ParameterizedTest
    @CsvSource({"braid-base,ar", "braid-base,lookahead", "braid-base,jacobi", "braid-base,sgd", "braid-apar,apar"})
    void aPromptPrefilledInChunksGetsTheSameAnswer(String modelName, String strategyName) throws Exception {
        DecodingStrategy strategy = StrategyRuns.named(strategyName);
        try (LoadedModel model = LoadedModel.load(BundledModels.folder(modelName).orElseThrow(), Device.cpu())) {
            int[] prompt = model.tokenizer().encode(ChatFormat.prompt(
                    "List 3 ways to make database queries faster, for a team that runs its services on Kubernetes."));
            assertThat(prompt.length).isGreaterThan(3 * CHUNK);
            List<Job> jobs = List.of(new Job(strategy, new GenerationRequest(prompt, SamplingParams.GREEDY,
                    new StopCriteria(Set.of(), List.of(), NEW_TOKENS))));
            // no prefix cache: every run computes the whole prompt
            WorkerSettings whole = new WorkerSettings(1, 4096, 1, 16, false, 4096);
            GenerationResult once = StrategyRuns.alone(model, jobs, whole).get(0);
            GenerationResult chunked = StrategyRuns.alone(model, jobs, whole.withMaxStepTokens(CHUNK)).get(0);
            assertThat(chunked.first().tokenIds()).as("%s on %s", strategyName, modelName)
                    .containsExactly(once.first().tokenIds());
            if (strategyName.equals("ar")) {
                // chunks of CHUNK while more than CHUNK tokens wait, then the task's own step takes the rest
                int chunks = (prompt.length - CHUNK + CHUNK - 1) / CHUNK;
                assertThat(once.steps()).isEqualTo(NEW_TOKENS);
                assertThat(chunked.steps()).isEqualTo(NEW_TOKENS + chunks);
                // every prompt token once, then each new token but the last, in chunks or not
                assertThat(once.queryTokens()).isEqualTo(prompt.length + NEW_TOKENS - 1);
                assertThat(chunked.queryTokens()).isEqualTo(prompt.length + NEW_TOKENS - 1);
            }
        }
    }
}
