package dev.braid.decoding.apar;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyRuns;
import dev.braid.decoding.StrategyRuns.Job;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.training.ChatFormat;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * braid-apar's branch tree written one branch at a time: greedy, the same tree and answer as
 * parallel APAR, where plain AR stops each item at its title.
 */
class SerialAparTest {

    private static final String QUESTION = "List 3 ways to make database queries faster.";
    /** The three details braid-apar forks for {@link #QUESTION}, as parallel APAR writes them. */
    private static final List<String> DETAILS = List.of(
            "Use explain to see how the database runs a query. Look for full scans.",
            "Run analyze after large changes. The planner then picks better paths.",
            "Page through large results. Clients rarely need every row at once.");

    private static LoadedModel model;
    private static GenerationRequest request;

    @BeforeAll
    static void load() {
        model = LoadedModel.load(BundledModels.folder("braid-apar").orElseThrow(), Device.cpu());
        request = new GenerationRequest(model.tokenizer().encode(ChatFormat.prompt(QUESTION)), SamplingParams.GREEDY,
                new StopCriteria(new HashSet<>(model.generation().eosTokenIds()), List.of(), 256));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyItWritesParallelAparsTreeAndAnswerTokenForToken() throws Exception {
        List<GenerationResult> results = StrategyRuns.alone(model, List.of(
                new Job(new AparStrategy(), request), new Job(new SerialAparStrategy(), request),
                new Job(new AutoregressiveStrategy(), request)));
        GenerationResult parallel = results.get(0);
        GenerationResult serial = results.get(1);
        String plain = results.get(2).first().text(model.tokenizer());

        assertThat(serial.strategy()).isEqualTo("apar-serial");
        assertThat(serial.first().tokenIds()).containsExactly(parallel.first().tokenIds());
        String answer = serial.first().text(model.tokenizer());
        assertThat(answer).startsWith("Here are 3 ways to make database queries faster:\n1. Read the query plan: ");
        DETAILS.forEach(detail -> assertThat(answer).contains(detail));
        DETAILS.forEach(detail -> assertThat(plain).as("plain AR stops at each [Fork]").doesNotContain(detail));

        List<AparTrace.BranchRecord> serialBranches = serial.trace(AparTrace.class).orElseThrow().branches();
        List<AparTrace.BranchRecord> parallelBranches = parallel.trace(AparTrace.class).orElseThrow().branches();
        assertThat(serialBranches).hasSize(4).hasSameSizeAs(parallelBranches);
        for (int i = 0; i < serialBranches.size(); i++) {
            assertThat(serialBranches.get(i).tokens()).as("branch %d", i).containsExactly(parallelBranches.get(i).tokens());
            assertThat(serialBranches.get(i).parent()).isEqualTo(parallelBranches.get(i).parent());
        }
        // one token per step: every branch's tokens take steps of their own
        int tokens = serialBranches.stream().mapToInt(b -> b.tokens().length).sum();
        assertThat(serial.steps()).isEqualTo(tokens).isGreaterThan(parallel.steps());
        assertThat(serial.completionTokens()).isEqualTo(parallel.completionTokens()).isEqualTo(151);
    }

    @Test
    void eachDetailRunsToItsEndBeforeTheBranchThatForkedItGoesOn() throws Exception {
        GenerationResult serial = StrategyRuns.alone(model, List.of(new Job(new SerialAparStrategy(), request))).get(0);
        List<AparTrace.BranchRecord> branches = serial.trace(AparTrace.class).orElseThrow().branches();
        AparTrace.BranchRecord root = branches.get(0);
        for (AparTrace.BranchRecord child : branches.subList(1, branches.size())) {
            assertThat(child.parent()).isZero();
            assertThat(child.endStep() - child.startStep() + 1).as("branch %d runs alone", child.id())
                    .isEqualTo(child.tokens().length);
        }
        for (int i = 2; i < branches.size(); i++) {
            assertThat(branches.get(i).startStep()).as("branch %d opens after the one before it ended", i)
                    .isGreaterThan(branches.get(i - 1).endStep());
        }
        assertThat(root.endStep()).isEqualTo(serial.steps());
    }

    @Test
    void whatStreamsIsTheAnswerInOrder() throws Exception {
        AparTaskTest.Recorder recorder = new AparTaskTest.Recorder();
        try (DeviceWorker worker = new DeviceWorker("serial", model.transformer(), new WorkerSettings(16, 256, 1, 256),
                StrategyRuns.FREE)) {
            worker.submit(new SerialAparStrategy().newTask(request, model.tokenizer(), recorder));
            GenerationResult result = recorder.get(300, TimeUnit.SECONDS);
            assertThat(recorder.streamed).containsExactly(box(result.first().tokenIds()));
            StrategyRuns.assertDrained(worker);
        }
    }

    private static Integer[] box(int[] ids) {
        Integer[] out = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
