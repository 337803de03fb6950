package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.training.ChatFormat;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The models that ship in the jar load by name and answer in the format they were trained on. */
class BundledModelsTest {

    @Test
    void baseModelAnswersAListPromptWithANumberedListDeterministically() throws Exception {
        Path folder = BundledModels.folder("braid-base").orElseThrow();
        try (LoadedModel model = LoadedModel.load(folder, Device.cpu());
             DeviceWorker worker = new DeviceWorker("bundled", model.transformer(), new WorkerSettings(16, 256, 4, 16))) {
            assertThat(model.transformer().parameterCount()).isBetween(5_000_000L, 15_000_000L);
            int[] prompt = model.tokenizer().encode(ChatFormat.prompt("List 3 ways to make database queries faster."));
            String first = generate(model, worker, prompt);
            String second = generate(model, worker, prompt);
            assertThat(second).isEqualTo(first);
            assertThat(first).contains("1. ").contains("2. ").contains("3. ");
        }
    }

    @Test
    void draftModelSharesTheTokenizerAndIsSmaller() {
        try (LoadedModel base = LoadedModel.load(BundledModels.folder("braid-base").orElseThrow(), Device.cpu());
             LoadedModel draft = LoadedModel.load(BundledModels.folder("braid-draft").orElseThrow(), Device.cpu())) {
            String text = ChatFormat.prompt("How do I back up a database?");
            assertThat(draft.tokenizer().encode(text)).containsExactly(base.tokenizer().encode(text));
            assertThat(draft.transformer().parameterCount() * 3).isLessThan(base.transformer().parameterCount());
        }
        assertThat(BundledModels.folder("no-such-model")).isEmpty();
    }

    private static String generate(LoadedModel model, DeviceWorker worker, int[] prompt) throws Exception {
        ResultFuture future = new ResultFuture();
        StopCriteria stop = new StopCriteria(new HashSet<>(model.generation().eosTokenIds()), List.of(), 120);
        worker.submit(new AutoregressiveStrategy().newTask(new GenerationRequest(prompt, SamplingParams.GREEDY, stop),
                model.tokenizer(), future));
        GenerationResult result = future.get(120, TimeUnit.SECONDS);
        return result.first().text(model.tokenizer());
    }
}
