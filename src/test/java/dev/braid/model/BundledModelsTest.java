package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.apar.AparStrategy;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.training.ChatFormat;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models that ship in the jar load by name and answer in the format they were trained on. */
class BundledModelsTest {

    @Test
    void aModelInsideAJarUnpacksOnceIntoAFolderKeyedByItsContentNotItsSize(@TempDir Path dir) throws Exception {
        Path source = BundledModels.folder("braid-draft").orElseThrow();
        Path first = jar(dir.resolve("first.jar"), source, null);
        byte[] weights = Files.readAllBytes(source.resolve(Checkpoint.SINGLE_FILE));
        weights[weights.length - 1] ^= 1; // retrained: same size, other weights
        Path second = jar(dir.resolve("second.jar"), source, weights);
        Path cache = dir.resolve("cache");
        try (URLClassLoader a = new URLClassLoader(new URL[] {first.toUri().toURL()}, null);
             URLClassLoader b = new URLClassLoader(new URL[] {second.toUri().toURL()}, null)) {
            Path unpacked = BundledModels.folder("braid-draft", a, cache).orElseThrow();
            assertThat(unpacked.getFileName().toString()).isEqualTo("braid-draft");
            assertThat(unpacked.resolve(Checkpoint.SINGLE_FILE)).hasSameBinaryContentAs(source.resolve(Checkpoint.SINGLE_FILE));
            assertThat(BundledModels.folder("braid-draft", a, cache)).contains(unpacked);

            Path retrained = BundledModels.folder("braid-draft", b, cache).orElseThrow();
            assertThat(retrained).isNotEqualTo(unpacked);
            assertThat(Files.readAllBytes(retrained.resolve(Checkpoint.SINGLE_FILE))).isEqualTo(weights);
            assertThat(BundledModels.folder("braid-base", a, cache)).as("not in this jar").isEmpty();
        }
    }

    /** A jar holding {@code models/braid-draft/} copied from {@code source}, optionally with other weights. */
    private static Path jar(Path jar, Path source, byte[] weights) throws Exception {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.sorted().toList()) {
                    out.putNextEntry(new ZipEntry("models/braid-draft/" + file.getFileName()));
                    boolean swap = weights != null && file.getFileName().toString().equals(Checkpoint.SINGLE_FILE);
                    out.write(swap ? weights : Files.readAllBytes(file));
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

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

    @Test
    void aparModelForksListItemsAndItsAnswerReadsLikeTheCorpus() throws Exception {
        try (LoadedModel model = LoadedModel.load(BundledModels.folder("braid-apar").orElseThrow(), Device.cpu());
             DeviceWorker worker = new DeviceWorker("bundled", model.transformer(), new WorkerSettings(16, 256, 4, 16))) {
            int[] prompt = model.tokenizer().encode(ChatFormat.prompt("List 4 ways to sleep better."));
            GenerationResult result = run(model, worker, new AparStrategy(), prompt, 256);
            String[] lines = result.first().text(model.tokenizer()).split("\n");
            assertThat(lines).hasSize(5);
            for (int i = 1; i < lines.length; i++) {
                // the title, then the detail its branch wrote, on one line as braid-base writes an item
                assertThat(lines[i]).matches(i + "\\. [A-Z][^:]+: [A-Z][^:]+\\.");
            }
            assertThat(result.steps()).as("the items' details were written beside the titles")
                    .isLessThan(result.completionTokens() * 2 / 3);
        }
    }

    private static String generate(LoadedModel model, DeviceWorker worker, int[] prompt) throws Exception {
        return run(model, worker, new AutoregressiveStrategy(), prompt, 120).first().text(model.tokenizer());
    }

    private static GenerationResult run(LoadedModel model, DeviceWorker worker, DecodingStrategy strategy, int[] prompt,
                                        int maxNewTokens) throws Exception {
        ResultFuture future = new ResultFuture();
        StopCriteria stop = new StopCriteria(new HashSet<>(model.generation().eosTokenIds()), List.of(), maxNewTokens);
        worker.submit(strategy.newTask(new GenerationRequest(prompt, SamplingParams.GREEDY, stop), model.tokenizer(),
                future));
        return future.get(120, TimeUnit.SECONDS);
    }
}
