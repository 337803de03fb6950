package dev.braid.decoding.apar;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategies;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StepDriver;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyParams;
import dev.braid.kv.BlockPool;
import dev.braid.kv.BlockTable;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * APAR on the tiny fixture, which knows nothing of forks: its frequent token " the" (268) plays
 * {@code [Fork]}, "!" (3) plays {@code [Child]} and the newline token (201) separates details.
 */
class AparTaskTest {

    static final int FORK = 268;
    static final int CHILD = 3;
    static final int NEWLINE = 201;
    private static final AparParams PARAMS = AparParams.DEFAULT.withControlTokens(FORK, CHILD, NEWLINE)
            .withLimits(2, 10);
    private static final int LIVE = 3;
    /** Branches long enough that, without a limit, three or more decode at once. */
    private static final AparParams LONG_BRANCHES = PARAMS.withLimits(2, 30);

    private static LoadedModel model;
    private static ReferenceCase reference;

    @BeforeAll
    static void load() {
        model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
        reference = ReferenceCase.load("llama-tiny").get(0); // "Return a new": " the" is its 8th greedy token
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationRequest request(int maxNewTokens) {
        return request(maxNewTokens, LIVE);
    }

    private static GenerationRequest request(int maxNewTokens, int liveBranches) {
        return new GenerationRequest(reference.promptIds(), SamplingParams.GREEDY,
                new StopCriteria(Set.of(0), List.of(), maxNewTokens), 1,
                StrategyParams.DEFAULTS.withApar(new AparBranching(liveBranches)));
    }

    private static AparTask task(int maxNewTokens, Recorder listener) {
        return (AparTask) new AparStrategy(PARAMS).newTask(request(maxNewTokens), model.tokenizer(), listener);
    }

    @Test
    void aForkSharesTheParentsBlocksUntilTheNextWriteCopiesOnlyThePartialBlock() {
        try (StepDriver driver = new StepDriver(model, 4, 256)) {
            AparTask task = task(40, new Recorder());
            driver.start(task);
            BranchTree tree = null;
            while (tree == null || tree.branches().size() < 2) {
                driver.step(task);
                tree = task.trees().get(0);
            }
            BlockTable parent = tree.root().sequence().table();
            BlockTable child = tree.branches().get(1).sequence().table();
            BlockPool pool = driver.cache().pool();
            int forkedAt = parent.length();
            assertThat(forkedAt).as("forked mid-block, so a partial block is shared").isNotZero()
                    .matches(n -> n % 4 != 0);
            assertThat(child.length()).isEqualTo(forkedAt);
            assertThat(blocks(child)).containsExactlyElementsOf(blocks(parent));
            for (int block : blocks(parent)) {
                assertThat(pool.refCount(block)).as("block %d right after the fork", block).isEqualTo(2);
            }
            assertThat(tree.branches().get(1).sequence().pending()).containsExactly(FORK, CHILD);
            assertThat(tree.root().sequence().pending()).containsExactly(FORK);

            List<Integer> before = blocks(parent);
            driver.step(task);
            int full = forkedAt / 4;
            for (int i = 0; i < full; i++) {
                assertThat(parent.block(i)).isEqualTo(child.block(i)).isEqualTo(before.get(i));
                assertThat(pool.refCount(parent.block(i))).as("full block %d stays shared", i).isEqualTo(2);
            }
            assertThat(parent.block(full)).as("the partial block is copied on write").isNotEqualTo(child.block(full));
            assertThat(pool.refCount(parent.block(full))).isEqualTo(1);
            assertThat(pool.refCount(child.block(full))).isEqualTo(1);
        }
    }

    @Test
    void theAnswerIsTheBranchTreeInDocumentOrderAndStreamsInThatOrder() {
        Recorder listener = new Recorder();
        List<Integer> heldBack = new ArrayList<>();
        GenerationResult result;
        AparTask task = task(60, listener);
        try (StepDriver driver = new StepDriver(model, 4, 256)) {
            result = driver.run(task, () -> {
                List<AparTrace.BranchRecord> branches = task.trace().branches();
                int known = branches.stream().mapToInt(b -> visible(b).size()).sum() + branches.size() - 1;
                heldBack.add(known - listener.streamed.size());
            });
            assertThat(driver.cache().pool().usedBlocks()).isZero();
        }
        AparTrace trace = result.trace(AparTrace.class).orElseThrow();
        List<AparTrace.BranchRecord> branches = trace.branches();
        assertThat(branches).as("the frequent fork token opens several branches").hasSizeGreaterThanOrEqualTo(3);
        assertThat(branches.stream().mapToInt(AparTrace.BranchRecord::depth).max().orElseThrow()).isEqualTo(2);

        List<Integer> expected = inDocumentOrder(branches, branches.get(0));
        assertThat(ids(result.first().tokenIds())).containsExactlyElementsOf(expected);
        assertThat(listener.streamed).as("streamed in final order").containsExactlyElementsOf(expected);
        assertThat(heldBack).as("a later branch's tokens wait for their turn").allMatch(n -> n >= 0).anyMatch(n -> n > 0)
                .endsWith(0);

        int generated = branches.stream().mapToInt(b -> (int) ids(b.tokens()).stream()
                .filter(t -> t != FORK && t != CHILD).count()).sum();
        assertThat(result.completionTokens()).isEqualTo(generated).isLessThanOrEqualTo(60);
        assertThat(result.steps()).as("branches decode side by side").isLessThan(generated);
    }

    @Test
    void controlTokensFollowTheBans() {
        AparTask task = task(60, new Recorder());
        List<Integer> live = new ArrayList<>();
        GenerationResult result;
        try (StepDriver driver = new StepDriver(model, 4, 256)) {
            result = driver.run(task, () -> live.add(task.trees().get(0).live().size()));
        }
        assertThat(live).allMatch(n -> n <= LIVE);
        for (AparTrace.BranchRecord b : result.trace(AparTrace.class).orElseThrow().branches()) {
            List<Integer> tokens = ids(b.tokens());
            assertThat(tokens).as("[Child] is never sampled").doesNotContain(CHILD);
            assertThat(tokens.size()).isLessThanOrEqualTo(PARAMS.maxBranchTokens());
            if (b.depth() == PARAMS.maxDepth()) {
                assertThat(tokens).as("no fork at the deepest level").doesNotContain(FORK);
            }
            if (b.depth() > 0 && !tokens.isEmpty()) {
                assertThat(tokens.get(0)).as("no fork right after [Child]").isNotEqualTo(FORK);
            }
            for (int i = 1; i < tokens.size(); i++) {
                assertThat(tokens.get(i) == FORK && tokens.get(i - 1) == FORK).as("fork after fork").isFalse();
            }
        }
    }

    @Test
    void atTheLiveLimitAForkWaitsForRoomAndTheAnswerStaysTheOneWrittenWithoutALimit() {
        List<Integer> unlimitedLive = new ArrayList<>();
        GenerationResult unlimited = runLimited(AparBranching.MAX_LIVE_BRANCHES, unlimitedLive, new ArrayList<>());
        List<Integer> live = new ArrayList<>();
        List<Boolean> waited = new ArrayList<>();
        GenerationResult limited = runLimited(3, live, waited);

        assertThat(Collections.max(unlimitedLive)).as("without a limit more than three branches decode at once")
                .isGreaterThan(3);
        assertThat(Collections.max(live)).isLessThan(Collections.max(unlimitedLive));
        assertThat(live.stream().filter(n -> n <= 3).count()).as("mostly within the limit").isGreaterThan(live.size() * 3 / 4);
        assertThat(waited).as("a fork waited for a branch to end").contains(true);
        assertThat(limited.first().tokenIds()).containsExactly(unlimited.first().tokenIds());
        assertThat(limited.steps()).isGreaterThan(unlimited.steps());
        assertThat(limited.peakKvBlocks()).isLessThan(unlimited.peakKvBlocks());
    }

    /** The budget cuts no branch: under a budget that bites, which tokens fit depends on the schedule. */
    private static GenerationResult runLimited(int liveBranches, List<Integer> live, List<Boolean> waited) {
        AparTask task = (AparTask) new AparStrategy(LONG_BRANCHES).newTask(request(1000, liveBranches), model.tokenizer(),
                new Recorder());
        try (StepDriver driver = new StepDriver(model, 4, 256)) {
            GenerationResult result = driver.run(task, () -> {
                live.add((int) task.trees().get(0).branches().stream().filter(b -> !b.finished() && !b.awaitingFork()).count());
                waited.add(task.trees().get(0).branches().stream().anyMatch(Branch::awaitingFork));
            });
            assertThat(driver.cache().pool().usedBlocks()).isZero();
            return result;
        }
    }

    @Test
    void aFinishedBranchFreesItsBlocksAtOnce() {
        AparTask task = task(60, new Recorder());
        List<Integer> used = new ArrayList<>();
        List<Integer> ended = new ArrayList<>();
        try (StepDriver driver = new StepDriver(model, 4, 256)) {
            BlockPool pool = driver.cache().pool();
            driver.run(task, () -> {
                List<Branch> branches = task.trees().get(0).branches();
                Set<Integer> held = new HashSet<>();
                for (Branch b : branches) {
                    held.addAll(blocks(b.sequence().table()));
                }
                assertThat(pool.usedBlocks()).as("blocks in use are exactly those live branches hold")
                        .isEqualTo(held.size());
                used.add(pool.usedBlocks());
                ended.add((int) branches.stream().filter(b -> b.finished() && b.depth() > 0).count());
            });
            assertThat(pool.usedBlocks()).isZero();
        }
        boolean dropped = false;
        for (int s = 1; s < used.size(); s++) {
            if (ended.get(s) > ended.get(s - 1) && used.get(s) < used.get(s - 1)) {
                dropped = true;
            }
        }
        assertThat(dropped).as("usage drops at a step where a branch ends: %s / %s", used, ended).isTrue();
    }

    @Test
    void withoutAForkTokenInTheTokenizerItIsPlainGreedyDecodingOnARealWorker() throws Exception {
        assertThat(DecodingStrategies.byName("apar")).containsInstanceOf(AparStrategy.class);
        GenerationRequest request = new GenerationRequest(reference.promptIds(), SamplingParams.GREEDY,
                new StopCriteria(Set.of(), List.of(), reference.greedyNewIds().length));
        GenerationResult result;
        try (DeviceWorker worker = new DeviceWorker("apar", model.transformer(), new WorkerSettings(16, 64, 1, 4))) {
            ResultFuture future = new ResultFuture();
            worker.submit(new AparStrategy().newTask(request, model.tokenizer(), future));
            result = future.get(60, TimeUnit.SECONDS);
        }
        assertThat(result.first().tokenIds()).containsExactly(reference.greedyNewIds());
        assertThat(result.trace(AparTrace.class).orElseThrow().branches()).hasSize(1);
        assertThat(result.steps()).isEqualTo(reference.greedyNewIds().length);
    }

    @Test
    void sampledTreesOfOneRequestEachStreamTheirOwnDocument() {
        GenerationRequest request = new GenerationRequest(reference.promptIds(), new SamplingParams(0.9, 40, 0.95, 7L),
                new StopCriteria(Set.of(0), List.of(), 40), 2, StrategyParams.DEFAULTS.withApar(new AparBranching(LIVE)));
        List<List<Integer>> streams = List.of(new ArrayList<>(), new ArrayList<>());
        ResultFuture listener = new ResultFuture() {
            @Override
            public void onTokens(int sequence, int[] tokenIds) {
                streams.get(sequence).addAll(ids(tokenIds));
            }
        };
        GenerationResult result;
        try (StepDriver driver = new StepDriver(model, 4, 256)) {
            result = driver.run(new AparStrategy(PARAMS).newTask(request, model.tokenizer(), listener));
            assertThat(driver.cache().pool().usedBlocks()).isZero();
        }
        assertThat(result.completions()).hasSize(2);
        List<AparTrace.BranchRecord> branches = result.trace(AparTrace.class).orElseThrow().branches();
        for (int s = 0; s < 2; s++) {
            int sequence = s;
            List<AparTrace.BranchRecord> tree = branches.stream().filter(b -> b.sequence() == sequence).toList();
            assertThat(streams.get(s)).containsExactlyElementsOf(ids(result.completions().get(s).tokenIds()))
                    .containsExactlyElementsOf(inDocumentOrder(tree, tree.get(0)));
            assertThat(tree).allMatch(b -> !ids(b.tokens()).contains(CHILD));
        }
        assertThat(result.completions().get(0).tokenIds()).isNotEqualTo(result.completions().get(1).tokenIds());
    }

    @Test
    void aPreemptedTreeRecomputesItsBranchesAndEndsTheSame() throws Exception {
        GenerationResult alone;
        try (StepDriver driver = new StepDriver(model, 4, 256)) {
            alone = driver.run(task(60, new Recorder()));
        }
        List<ReferenceCase> cases = ReferenceCase.load("llama-tiny");
        try (DeviceWorker worker = new DeviceWorker("small", model.transformer(), new WorkerSettings(4, 24, 8, 8))) {
            List<ResultFuture> others = new ArrayList<>();
            for (int i = 1; i < 4; i++) {
                ResultFuture future = new ResultFuture();
                others.add(future);
                worker.submit(new dev.braid.decoding.ar.AutoregressiveStrategy().newTask(new GenerationRequest(
                        cases.get(i).promptIds(), SamplingParams.GREEDY, new StopCriteria(Set.of(), List.of(), 40)),
                        model.tokenizer(), future));
            }
            Recorder listener = new Recorder();
            worker.submit(new AparStrategy(PARAMS).newTask(request(60), model.tokenizer(), listener));
            GenerationResult squeezed = listener.get(120, TimeUnit.SECONDS);
            for (ResultFuture other : others) {
                other.get(120, TimeUnit.SECONDS);
            }
            assertThat(worker.stats().preemptions()).as("the small pool forces preemption").isPositive();
            assertThat(squeezed.first().tokenIds()).containsExactly(alone.first().tokenIds());
            assertThat(listener.streamed).containsExactlyElementsOf(ids(alone.first().tokenIds()));
            for (int i = 0; i < 100 && worker.stats().usedBlocks() > 0; i++) {
                Thread.sleep(10);
            }
            assertThat(worker.stats().usedBlocks()).isZero();
        }
    }

    /** The reference traversal, from the recorded tokens alone: a branch, at each fork its child's subtree. */
    private static List<Integer> inDocumentOrder(List<AparTrace.BranchRecord> all, AparTrace.BranchRecord branch) {
        List<Integer> out = new ArrayList<>();
        int[] tokens = branch.tokens();
        for (int i = 0; i < tokens.length; i++) {
            int index = i;
            AparTrace.BranchRecord child = all.stream()
                    .filter(b -> b.parent() == branch.id() && b.forkIndex() == index).findFirst().orElse(null);
            if (child != null) {
                out.add(NEWLINE);
                out.addAll(inDocumentOrder(all, child));
            } else if (tokens[i] != FORK && tokens[i] != CHILD && (branch.depth() == 0 || tokens[i] != 0)) {
                out.add(tokens[i]);
            }
        }
        return out;
    }

    /** The tokens of a branch that reach the document (a detail's end token does not). */
    private static List<Integer> visible(AparTrace.BranchRecord branch) {
        return ids(branch.tokens()).stream()
                .filter(t -> t != FORK && t != CHILD && (branch.depth() == 0 || t != 0)).toList();
    }

    private static List<Integer> blocks(BlockTable table) {
        List<Integer> blocks = new ArrayList<>();
        for (int i = 0; i < table.blockCount(); i++) {
            blocks.add(table.block(i));
        }
        return blocks;
    }

    private static List<Integer> ids(int[] tokens) {
        List<Integer> out = new ArrayList<>();
        for (int t : tokens) {
            out.add(t);
        }
        return out;
    }

    static final class Recorder extends ResultFuture {
        final List<Integer> streamed = new ArrayList<>();

        @Override
        public void onTokens(int sequence, int[] tokenIds) {
            for (int t : tokenIds) {
                streamed.add(t);
            }
        }
    }
}
