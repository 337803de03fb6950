package dev.braid.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.braid.kv.BlockTable;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.LlamaTransformer;
import dev.braid.model.LoadedModel;
import dev.braid.model.StepBatch;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    /** A tiny model trained two steps, loaded with its parameters ready for gradients. */
    private static LoadedModel trainedTiny(Path dir) {
        new Trainer(Recipe.TINY.withSteps(2), dir.resolve("model"), dir.resolve("work"), QUIET).run(false);
        LoadedModel model = LoadedModel.load(dir.resolve("model"), Device.cpu());
        ((LlamaTransformer) model.transformer()).parameters().values().forEach(p -> p.setRequiresGradient(true));
        return model;
    }

    private static List<PackedDataset.Row> fixedBatch(LoadedModel model) {
        return PackedDataset.pack(CorpusGenerator.generate(40, 11).train(), model.tokenizer(), 64).rows().subList(0, 4);
    }

    @Test
    void lossFallsOnAFixedBatch(@TempDir Path dir) {
        try (LoadedModel model = trainedTiny(dir);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            LlamaTransformer transformer = (LlamaTransformer) model.transformer();
            AdamW optimizer = new AdamW(transformer.parameters(), 0, manager);
            List<PackedDataset.Row> rows = fixedBatch(model);
            double first = Trainer.trainStep(transformer, optimizer, rows, 1e-2, 1.0);
            double last = first;
            for (int i = 0; i < 40; i++) {
                last = Trainer.trainStep(transformer, optimizer, rows, 1e-2, 1.0);
            }
            assertThat(last).as("loss after 40 steps on one batch, from %s", first).isLessThan(first * 0.5);
        }
    }

    @Test
    void aStepWithANonFiniteLossChangesNoWeight(@TempDir Path dir) {
        try (LoadedModel model = trainedTiny(dir);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            LlamaTransformer transformer = (LlamaTransformer) model.transformer();
            Map<String, NDArray> params = transformer.parameters();
            AdamW optimizer = new AdamW(params, 0, manager);
            // the final norm scales every position's hidden state: an infinite entry reaches every logit
            float[] norm = params.get("norm").toFloatArray();
            norm[0] = Float.POSITIVE_INFINITY;
            params.get("norm").set(norm);
            Map<String, float[]> before = new HashMap<>();
            params.forEach((name, p) -> before.put(name, p.toFloatArray()));

            assertThat(Trainer.trainStep(transformer, optimizer, fixedBatch(model), 1e-2, 1.0)).isNaN();
            assertThat(optimizer.updates()).isZero();
            params.forEach((name, p) -> assertThat(p.toFloatArray()).as(name).containsExactly(before.get(name)));
        }
    }

    @Test
    void savedModelReloadsToIdenticalLogitsInTheServingEngine(@TempDir Path dir) {
        Path output = dir.resolve("model");
        new Trainer(Recipe.TINY.withSteps(5), output, dir.resolve("work"), QUIET).run(false);
        try (LoadedModel model = LoadedModel.load(output, Device.cpu());
             PagedKvCache cache = new PagedKvCache(model.transformer().cacheSpec(8, 16), Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            int[] prompt = model.tokenizer().encode(ChatFormat.prompt("List 3 ways to sleep better."));
            BlockTable table = cache.newSequence();
            assertThat(cache.reserve(table, prompt.length)).isTrue();
            try (NDScope ignored = new NDScope()) {
                StepOutput served = model.transformer().forward(
                        new StepBatch(List.of(StepPlan.append(table, prompt).withAllLogits())), cache);
                long[] tokens = new long[prompt.length];
                long[] positions = new long[prompt.length];
                float[] bias = new float[prompt.length * prompt.length];
                for (int q = 0; q < prompt.length; q++) {
                    tokens[q] = prompt[q];
                    positions[q] = q;
                    for (int k = q + 1; k < prompt.length; k++) {
                        bias[q * prompt.length + k] = PackedDataset.MASKED;
                    }
                }
                NDArray trained = ((LlamaTransformer) model.transformer()).forwardTraining(
                        manager.create(tokens, new ai.djl.ndarray.types.Shape(1, prompt.length)),
                        manager.create(positions, new ai.djl.ndarray.types.Shape(1, prompt.length)),
                        manager.create(bias, new ai.djl.ndarray.types.Shape(1, prompt.length, prompt.length)));
                float[] trainedLast = trained.get("0, " + (prompt.length - 1)).toFloatArray();
                float[] servedLast = served.logits(0, prompt.length - 1);
                for (int v = 0; v < servedLast.length; v++) {
                    assertThat(servedLast[v]).isCloseTo(trainedLast[v], within(1e-4f));
                }
            }
        }
    }

    @Test
    void aResumedRunFollowsTheSameCurveAsAnUninterruptedOne(@TempDir Path dir) throws IOException {
        Recipe recipe = Recipe.TINY.withSteps(20);
        Trainer.Report straight = new Trainer(recipe, dir.resolve("a"), dir.resolve("work-a"), QUIET).run(false);
        // the run keeps its step-10 checkpoint; resuming from it replays steps 11 to 20
        Path work = dir.resolve("work-c");
        new Trainer(recipe, dir.resolve("c"), work, QUIET).run(false);
        assertThat(Files.exists(work.resolve("checkpoints/step-10/optimizer.safetensors"))).isTrue();
        Trainer.Report resumed = new Trainer(recipe, dir.resolve("c2"), work, QUIET).run(true);
        assertThat(resumed.heldOutLoss()).isCloseTo(straight.heldOutLoss(), within(1e-4));
        assertThat(resumed.curve().get(resumed.curve().size() - 1).trainLoss())
                .isCloseTo(straight.curve().get(straight.curve().size() - 1).trainLoss(), within(1e-4));
    }

    @Test
    void aFailedCheckpointWriteLeavesTheLastGoodOneIntact(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(10, folder -> Files.writeString(folder.resolve("weights"), "good"));
        assertThatThrownBy(() -> store.save(20, folder -> {
            Files.writeString(folder.resolve("weights"), "half");
            throw new IOException("No space left on device");
        })).hasMessageContaining("No space left on device").hasMessageContaining("step-10 is intact");
        assertThat(store.latest()).contains(dir.resolve("step-10"));
        assertThat(Files.readString(dir.resolve("step-10/weights"))).isEqualTo("good");
        assertThat(dir.resolve("step-20.partial")).doesNotExist();
    }

    @Test
    void impossibleRecipesAreRefusedByField() {
        assertThatThrownBy(() -> new Recipe("x", 2048, 250, 2, 4, 4, 64, 128, 64, 4, 10, 1e-3, 1, 0, 1, 5, 5, 100, 1))
                .hasMessageContaining("hidden_size 250 is not divisible by num_heads 4");
        assertThatThrownBy(() -> new Recipe("x", 2048, 256, 2, 4, 4, 64, 128, 256, 4, 10, 1e-3, 1, 0, 1, 5, 5, 100, 1))
                .hasMessageContaining("sequence_length 256 exceeds max_position_embeddings 128");
        assertThatThrownBy(() -> new Recipe("x", 100, 256, 2, 4, 4, 64, 512, 256, 4, 10, 1e-3, 1, 0, 1, 5, 5, 100, 1))
                .hasMessageContaining("vocab_size 100");
        assertThatThrownBy(() -> Recipe.named("huge")).hasMessageContaining("unknown recipe 'huge'");
    }

    @Test
    void aVocabularyTheCorpusCannotFillIsRefused(@TempDir Path dir) {
        Recipe greedy = new Recipe("x", 60_000, 32, 1, 2, 1, 64, 128, 64, 4, 10, 1e-2, 1, 0, 1, 5, 5, 40, 1);
        assertThatThrownBy(() -> new Trainer(greedy, dir.resolve("m"), dir.resolve("w"), QUIET).run(false))
                .hasMessageContaining("fewer than vocab_size 60000");
    }

    @Test
    void aCorpusFileReplacesTheGeneratedCorpusAndBadOnesAreNamed(@TempDir Path dir) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append("{\"user\": \"What is ").append(i).append("?\", \"assistant\": \"It is the number ")
                    .append(i).append(".\"}\n");
        }
        Path corpus = Files.writeString(dir.resolve("corpus.jsonl"), lines);
        CorpusGenerator.Corpus read = CorpusFile.read(corpus);
        assertThat(read.train()).hasSize(38);
        assertThat(read.heldOut()).hasSize(2);
        assertThat(read.train().get(0).assistant()).isEqualTo("It is the number 0.");

        assertThatThrownBy(() -> CorpusFile.read(dir.resolve("missing.jsonl")))
                .hasMessageContaining("missing.jsonl does not exist");
        Path broken = Files.writeString(dir.resolve("broken.jsonl"), "{\"user\": \"hi\"}\n");
        assertThatThrownBy(() -> CorpusFile.read(broken))
                .hasMessageContaining("broken.jsonl line 1: field \"assistant\" must be a non-empty string");
        Path garbage = Files.writeString(dir.resolve("garbage.jsonl"), "not json\n");
        assertThatThrownBy(() -> CorpusFile.read(garbage)).hasMessageContaining("garbage.jsonl line 1 is not JSON");
    }
}
