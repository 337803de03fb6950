package dev.braid.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import ai.djl.Device;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.sgd.SgdPrompts;
import dev.braid.decoding.sgd.SgdStrategy;
import dev.braid.decoding.sgd.SgdTrace;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.worker.PoolDraftRoute;
import dev.braid.worker.WorkerPool;
import dev.braid.worker.WorkerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The draft partner SGD may route to, and the route onto its workers, on the tiny fixture (no
 * Spring context): the partner here is the fixture itself on workers of its own, so a routed point
 * must come out as the target would have written it.
 */
class DraftPartnersTest {

    private static final Path FIXTURE = ReferenceCase.FIXTURES.resolve("llama-tiny");
    private static final WorkerSettings SETTINGS = new WorkerSettings(4, 512, 8, 8);
    /** Points 1 and 3 are easy (drafted), 2 is hard (the target's); 3 needs both. */
    private static final String SKELETON = "1. Kinds | depends on: none | easy\n"
            + "2. Costs | depends on: none | hard\n"
            + "3. Choice | depends on: 1, 2 | easy";

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ModelRegistry registry = mock(ModelRegistry.class);
    private final DraftPartners partners = new DraftPartners(registry);
    private ServedModel target;

    @BeforeEach
    void loadTarget() {
        target = served("target-model", FIXTURE, "draft-model");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private ServedModel served(String name, Path folder, String draftPartner) {
        LoadedModel model = LoadedModel.load(folder, Device.cpu());
        open.add(model);
        WorkerPool pool = WorkerPool.of(List.of(model.transformer()), SETTINGS);
        open.add(pool);
        return new ServedModel(name, List.of(model), pool, Set.of(), draftPartner);
    }

    @Test
    void noPartnerOrAnUnloadedOneMeansNoRoute() {
        ServedModel alone = served("alone", FIXTURE, null);
        assertThat(partners.routeFor(alone)).isEmpty();
        when(registry.served("draft-model")).thenReturn(Optional.empty());
        assertThat(partners.routeFor(target)).isEmpty();
    }

    @Test
    void aPartnerWithTheSameTokenizerIsRoutedTo() {
        ServedModel draft = served("draft-model", FIXTURE, null);
        when(registry.served("draft-model")).thenReturn(Optional.of(draft));
        assertThat(partners.partnerOf(target)).containsSame(draft);
        assertThat(partners.routeFor(target)).get().extracting(r -> r.model()).isEqualTo("draft-model");
    }

    @Test
    void aPartnerWithAnotherTokenizerOfTheSameSizeIsNot(@TempDir Path dir) throws IOException {
        Path copy = Files.createDirectory(dir.resolve("other-tokenizer"));
        try (var files = Files.list(FIXTURE)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        // the same vocabulary size, but not the same file: the ids could mean other text
        Files.writeString(copy.resolve("tokenizer.json"), Files.readString(copy.resolve("tokenizer.json")) + "\n");
        ServedModel other = served("draft-model", copy, null);
        when(registry.served("draft-model")).thenReturn(Optional.of(other));
        assertThat(other.model().config().vocabSize()).isEqualTo(target.model().config().vocabSize());
        assertThat(partners.routeFor(target)).isEmpty();
    }

    @Test
    void easyPointsRunOnThePartnersWorkersAndComeOutAsTheTargetWritesThem() throws Exception {
        ServedModel draft = served("draft-model", FIXTURE, null);
        GenerationResult local = sgd(null);
        GenerationResult routed = sgd(DraftPartners.routeTo(draft));
        assertThat(trace(routed).nodes()).extracting(SgdTrace.NodeRecord::model)
                .containsExactly("draft-model", "target", "draft-model");
        assertThat(trace(local).nodes()).extracting(SgdTrace.NodeRecord::model).containsOnly("target");
        assertThat(routed.first().tokenIds()).containsExactly(local.first().tokenIds());
    }

    @Test
    void aPartnerThatRefusesLeavesEveryPointToTheTarget() throws Exception {
        ServedModel draft = served("draft-model", FIXTURE, null);
        draft.pool().close(); // its workers refuse every task, as a full queue does
        GenerationResult local = sgd(null);
        GenerationResult refused = sgd(DraftPartners.routeTo(draft));
        assertThat(trace(refused).nodes()).extracting(SgdTrace.NodeRecord::model).containsOnly("target");
        assertThat(refused.first().tokenIds()).containsExactly(local.first().tokenIds());
    }

    private GenerationResult sgd(PoolDraftRoute route) throws Exception {
        SgdPrompts prompts = SgdPrompts.DEFAULT.withFixedSkeleton(SKELETON).withBudgets(16, 8)
                .withNodeEndsAtNewline(false);
        ReferenceCase reference = ReferenceCase.load("llama-tiny").get(0);
        GenerationRequest request = new GenerationRequest(reference.promptIds(), SamplingParams.GREEDY,
                new StopCriteria(Set.of(0), List.of(), 48));
        ResultFuture result = new ResultFuture();
        target.pool().submit(new SgdStrategy(prompts, route).newTask(request, target.model().tokenizer(), result));
        return result.get(120, TimeUnit.SECONDS);
    }

    private static SgdTrace trace(GenerationResult result) {
        return result.trace(SgdTrace.class).orElseThrow();
    }
}
