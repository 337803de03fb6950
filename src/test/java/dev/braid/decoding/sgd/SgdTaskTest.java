package dev.braid.decoding.sgd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategies;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StepDriver;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.model.StepPlan;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SGD on the tiny fixture. It cannot write a skeleton, so phase two runs on skeletons given up front;
 * what it writes for phase one is garbage, which exercises the fallback.
 */
class SgdTaskTest {

    private static final String DIAMOND = "1. Kinds | depends on: none | hard\n"
            + "2. Costs | depends on: none | hard\n"
            + "3. Choice | depends on: 1, 2 | hard";

    private static LoadedModel model;
    private static ReferenceCase reference;

    @BeforeAll
    static void load() {
        model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
        reference = ReferenceCase.load("llama-tiny").get(0);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationRequest request(int maxNewTokens) {
        return new GenerationRequest(reference.promptIds(), SamplingParams.GREEDY,
                new StopCriteria(Set.of(0), List.of(), maxNewTokens));
    }

    @Test
    void readyPointsShareOneForwardPassAndLaterPointsSeeTheirParents() {
        SgdPrompts prompts = SgdPrompts.DEFAULT.withFixedSkeleton(DIAMOND).withBudgets(16, 10)
                .withNodeEndsAtNewline(false).withNodeRequest("{question}\nAnswer along this plan:\n{skeleton}");
        Recorder listener = new Recorder();
        SgdTask task = (SgdTask) new SgdStrategy(prompts, null).newTask(request(64), model.tokenizer(), listener);
        GenerationResult result;
        List<List<Integer>> sharedBlocks = new ArrayList<>();
        try (StepDriver driver = new StepDriver(model, 4, 512)) {
            int heading = model.tokenizer().encode("1. Kinds:", false).length;
            result = driver.run(task, () -> {
                List<NodeRun> running = task.nodes().stream().filter(NodeRun::decodingOnTarget).toList();
                if (running.size() == 2) {
                    sharedBlocks.add(List.of(running.get(0).sequence().table().block(0),
                            running.get(1).sequence().table().block(0)));
                    assertThat(listener.streamed).as("point 2's tokens wait for point 1")
                            .hasSize(heading + running.get(0).visibleTokens().length);
                }
            });
            assertThat(driver.cache().pool().usedBlocks()).isZero();
            List<List<StepPlan>> steps = driver.planned();
            assertThat(steps.get(0)).as("the shared trunk is prefilled once").hasSize(1);
            assertThat(steps.get(1)).as("points 1 and 2 are ready together and share the step").hasSize(2);
            assertThat(steps.get(1).get(0).table()).isNotSameAs(steps.get(1).get(1).table());
        }
        assertThat(sharedBlocks).isNotEmpty().allMatch(pair -> pair.get(0).equals(pair.get(1)));

        SgdTrace trace = result.trace(SgdTrace.class).orElseThrow();
        assertThat(trace.fellBack()).isFalse();
        assertThat(trace.skeleton()).isEqualTo(DIAMOND);
        List<SgdTrace.NodeRecord> nodes = trace.nodes();
        assertThat(nodes).extracting(SgdTrace.NodeRecord::model).containsOnly("target");
        assertThat(nodes).allMatch(n -> n.tokens().length == 10);
        assertThat(nodes.get(0).startStep()).isEqualTo(nodes.get(1).startStep()).isEqualTo(2);
        assertThat(nodes.get(2).startStep()).isGreaterThan(Math.max(nodes.get(0).endStep(), nodes.get(1).endStep()));
        int generated = nodes.stream().mapToInt(n -> n.tokens().length).sum();
        assertThat(result.completionTokens()).isEqualTo(generated);
        assertThat(result.steps()).as("one trunk step, 10 for points 1 and 2 together, 10 for point 3")
                .isEqualTo(21).isLessThan(generated);

        String third = model.tokenizer().decode(task.nodes().get(2).prompt());
        assertThat(third).contains("1. Kinds:" + decode(nodes.get(0).tokens()))
                .contains("2. Costs:" + decode(nodes.get(1).tokens()))
                .contains("Answer along this plan:\n1. Kinds\n2. Costs\n3. Choice");

        List<Integer> expected = new ArrayList<>();
        for (SgdTrace.NodeRecord node : nodes) {
            if (node.index() > 1) {
                addAll(expected, model.tokenizer().encode("\n", false));
            }
            addAll(expected, model.tokenizer().encode(node.index() + ". " + node.title() + ":", false));
            addAll(expected, node.tokens());
        }
        assertThat(ids(result.first().tokenIds())).containsExactlyElementsOf(expected);
        assertThat(listener.streamed).as("streamed in skeleton order").containsExactlyElementsOf(expected);
    }

    @Test
    void aMalformedSkeletonFallsBackToPlainDecodingOfThePrompt() {
        for (String skeleton : List.of("Sure, here is a plan!", "1. A | depends on: 2 | easy\n2. B | depends on: 1 | hard")) {
            SgdPrompts prompts = SgdPrompts.DEFAULT.withFixedSkeleton(skeleton);
            GenerationRequest request = request(reference.greedyNewIds().length);
            Recorder listener = new Recorder();
            GenerationResult result;
            try (StepDriver driver = new StepDriver(model, 4, 512)) {
                result = driver.run(new SgdStrategy(prompts, null).newTask(request, model.tokenizer(), listener));
            }
            assertThat(result.first().tokenIds()).containsExactly(reference.greedyNewIds());
            assertThat(ids(result.first().tokenIds())).isEqualTo(listener.streamed);
            SgdTrace trace = result.trace(SgdTrace.class).orElseThrow();
            assertThat(trace.fallbackReason()).startsWith("malformed skeleton: ")
                    .contains(skeleton.startsWith("Sure") ? "line 1 is not a point" : "cycle: 1 -> 2 -> 1");
            assertThat(trace.nodes()).isEmpty();
            assertThat(result.completionTokens()).isEqualTo(reference.greedyNewIds().length);
        }
    }

    @Test
    void aSkeletonLineThatCanNoLongerBecomeAPointFallsBackWithoutWaitingForItsEnd() {
        SgdPrompts d = SgdPrompts.DEFAULT;
        // the model's mouth starts the plan as prose: its first token leaves nothing a point could become
        SgdPrompts prompts = new SgdPrompts(d.chat(), d.skeletonRequest(), "Sure, here is", d.nodeRequest(),
                d.parentAnswer(), d.nodeAnswer(), d.heading(), d.separator(), d.maxSkeletonTokens(), d.maxPoints(),
                d.maxNodeTokens(), d.nodeEndsAtNewline(), null);
        GenerationResult result;
        try (StepDriver driver = new StepDriver(model, 4, 512)) {
            result = driver.run(new SgdStrategy(prompts, null).newTask(request(reference.greedyNewIds().length),
                    model.tokenizer(), new Recorder()));
        }
        SgdTrace trace = result.trace(SgdTrace.class).orElseThrow();
        assertThat(trace.fallbackReason()).startsWith("malformed skeleton: line 1 cannot become a point");
        assertThat(trace.skeletonSteps()).as("the step that prefilled the skeleton prompt and wrote one token")
                .isEqualTo(1);
        assertThat(trace.skeleton()).startsWith("Sure, here is").doesNotContain("\n");
        assertThat(result.first().tokenIds()).containsExactly(reference.greedyNewIds());
    }

    /**
     * At a 32-token step budget the skeleton prompt (longer) is prefilled in chunks, which count as
     * skeleton steps; the question AR answers fits one step at either budget.
     */
    @ParameterizedTest(name = "step budget {0}")
    @ValueSource(ints = {32, 4096})
    void whatTheFixtureWritesAsASkeletonIsRejectedAndTheAnswerIsArs(int maxStepTokens) throws Exception {
        SgdPrompts prompts = SgdPrompts.DEFAULT.withBudgets(12, 10);
        int max = reference.greedyNewIds().length;
        GenerationRequest request = request(max);
        GenerationResult sgd;
        GenerationResult ar;
        try (DeviceWorker worker = new DeviceWorker("sgd", model.transformer(),
                new WorkerSettings(16, 128, 2, 8, true, maxStepTokens))) {
            sgd = submit(worker, new SgdStrategy(prompts, null), request, new ResultFuture());
            ar = submit(worker, new AutoregressiveStrategy(), request, new ResultFuture());
        }
        SgdTrace trace = sgd.trace(SgdTrace.class).orElseThrow();
        assertThat(trace.skeleton()).startsWith("1.");
        assertThat(trace.skeletonSteps()).isBetween(1, 12 + 2);
        assertThat(trace.fallbackReason()).startsWith("malformed skeleton: ");
        assertThat(sgd.first().tokenIds()).containsExactly(ar.first().tokenIds()).containsExactly(reference.greedyNewIds());
        assertThat(sgd.steps()).isEqualTo(trace.skeletonSteps() + ar.steps());
    }

    @Test
    void easyPointsRunOnTheDraftWorkerAndGiveTheSameAnswerOnTheSameModel() throws Exception {
        String skeleton = "1. Kinds | depends on: none | easy\n"
                + "2. Costs | depends on: none | hard\n"
                + "3. Choice | depends on: 1, 2 | easy";
        SgdPrompts prompts = SgdPrompts.DEFAULT.withFixedSkeleton(skeleton).withBudgets(16, 8)
                .withNodeEndsAtNewline(false);
        GenerationRequest request = request(64);
        GenerationResult local;
        GenerationResult routed;
        Recorder listener = new Recorder();
        try (DeviceWorker target = new DeviceWorker("target", model.transformer(), new WorkerSettings(16, 128, 2, 8));
             DeviceWorker draft = new DeviceWorker("draft", model.transformer(), new WorkerSettings(16, 128, 4, 8))) {
            local = submit(target, new SgdStrategy(prompts, null), request, new ResultFuture());
            routed = submit(target, new SgdStrategy(prompts, new WorkerRoute("tiny-draft", draft)), request, listener);
            waitDrained(target);
            waitDrained(draft);
        }
        SgdTrace trace = routed.trace(SgdTrace.class).orElseThrow();
        assertThat(trace.nodes()).extracting(SgdTrace.NodeRecord::model)
                .containsExactly("tiny-draft", "target", "tiny-draft");
        assertThat(trace.nodes()).allMatch(n -> n.startStep() <= n.endStep());
        assertThat(trace.nodes().get(2).startStep()).isGreaterThan(trace.nodes().get(1).endStep());
        assertThat(routed.first().tokenIds()).containsExactly(local.first().tokenIds());
        assertThat(ids(routed.first().tokenIds())).isEqualTo(listener.streamed);
        assertThat(routed.steps()).as("the target only decodes point 2 (and prefills the trunk)")
                .isLessThan(local.steps());
    }

    @Test
    void aPreemptedTaskRecomputesItsPointsAndEndsTheSame() throws Exception {
        SgdPrompts prompts = SgdPrompts.DEFAULT.withFixedSkeleton(DIAMOND).withBudgets(16, 12)
                .withNodeEndsAtNewline(false);
        GenerationResult alone;
        try (StepDriver driver = new StepDriver(model, 4, 512)) {
            alone = driver.run(new SgdStrategy(prompts, null).newTask(request(64), model.tokenizer(), new Recorder()));
        }
        List<ReferenceCase> cases = ReferenceCase.load("llama-tiny");
        try (DeviceWorker worker = new DeviceWorker("small", model.transformer(), new WorkerSettings(4, 40, 8, 8))) {
            List<ResultFuture> others = new ArrayList<>();
            for (int i = 1; i < 4; i++) {
                others.add(new ResultFuture());
                worker.submit(new AutoregressiveStrategy().newTask(new GenerationRequest(cases.get(i).promptIds(),
                        SamplingParams.GREEDY, new StopCriteria(Set.of(), List.of(), 40)), model.tokenizer(), others.getLast()));
            }
            Recorder listener = new Recorder();
            worker.submit(new SgdStrategy(prompts, null).newTask(request(64), model.tokenizer(), listener));
            GenerationResult squeezed = listener.get(120, TimeUnit.SECONDS);
            for (ResultFuture other : others) {
                other.get(120, TimeUnit.SECONDS);
            }
            assertThat(worker.stats().preemptions()).as("the small pool forces preemption").isPositive();
            assertThat(squeezed.first().tokenIds()).containsExactly(alone.first().tokenIds());
            assertThat(listener.streamed).isEqualTo(ids(alone.first().tokenIds()));
            waitDrained(worker);
        }
    }

    @Test
    void isRegisteredAndDecodesOneAnswer() {
        assertThat(DecodingStrategies.byName("sgd")).containsInstanceOf(SgdStrategy.class);
        GenerationRequest two = new GenerationRequest(reference.promptIds(), SamplingParams.GREEDY,
                new StopCriteria(Set.of(0), List.of(), 8), 2);
        assertThatThrownBy(() -> new SgdStrategy().newTask(two, model.tokenizer(), new ResultFuture()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n must be 1");
    }

    /** A draft route onto a second worker: the seam a service wires to a model's draft partner. */
    private record WorkerRoute(String model, DeviceWorker worker) implements DraftRoute {
        @Override
        public Handle decode(GenerationRequest request, GenerationListener listener) {
            var task = new AutoregressiveStrategy().newTask(request, SgdTaskTest.model.tokenizer(), listener);
            worker.submit(task);
            return task::cancel;
        }
    }

    private static GenerationResult submit(DeviceWorker worker, dev.braid.decoding.DecodingStrategy strategy,
                                           GenerationRequest request, ResultFuture future) throws Exception {
        worker.submit(strategy.newTask(request, model.tokenizer(), future));
        return future.get(120, TimeUnit.SECONDS);
    }

    private static void waitDrained(DeviceWorker worker) throws InterruptedException {
        for (int i = 0; i < 200 && (worker.stats().runningTasks() > 0 || worker.stats().usedBlocks() > 0); i++) {
            Thread.sleep(10);
        }
        assertThat(worker.stats().usedBlocks()).isZero();
    }

    private static String decode(int[] tokens) {
        return model.tokenizer().decode(tokens);
    }

    private static void addAll(List<Integer> into, int[] tokens) {
        for (int t : tokens) {
            into.add(t);
        }
    }

    private static List<Integer> ids(int[] tokens) {
        List<Integer> out = new ArrayList<>();
        addAll(out, tokens);
        return out;
    }

    static final class Recorder extends ResultFuture {
        final List<Integer> streamed = new ArrayList<>();

        @Override
        public void onTokens(int sequence, int[] tokenIds) {
            addAll(streamed, tokenIds);
        }
    }
}
