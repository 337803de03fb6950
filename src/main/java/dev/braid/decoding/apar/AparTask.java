package dev.braid.decoding.apar;

import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.FinishReason;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.Sampler;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StopCriteria;
import dev.braid.model.Tokenizer;
import dev.braid.kv.BlockTable;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * APAR decoding of {@code n} trees. Every live branch is one single-token plan per step; a branch
 * that emits {@code [Fork]} is forked at once, so parent and child both run in the next step. At
 * the live-branch limit the forking branch pauses instead until a branch ends: each branch still
 * sees only its ancestors, so the answer is the one written without a limit, while fewer details
 * hold KV blocks at the same time.
 *
 * <p>Which live branches step, and under what live-branch limit, are hooks: {@link SerialAparTask}
 * steps one branch per tree at a time over the same tree.
 */
class AparTask extends DecodingTask {

    private final AparParams params;
    private final ControlTokens control;
    private final List<BranchTree> trees = new ArrayList<>();
    private final List<Branch> planned = new ArrayList<>();
    private final List<BranchTree> plannedTrees = new ArrayList<>();
    private int step;
    private int branchesOpened;

    AparTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener, AparParams params,
             ControlTokens control) {
        super(request, tokenizer, listener);
        this.params = params;
        this.control = control;
    }

    @Override
    public String strategy() {
        return AparStrategy.NAME;
    }

    @Override
    protected void onStart() {
        for (int i = 0; i < request.n(); i++) {
            Sequence sequence = new Sequence(request.promptIds(), new Sampler(request.sampling(), seed + i),
                    branchStop(request.stop().stopStrings()), contextLength, kv.newSequence(request.promptIds()));
            trees.add(new BranchTree(i, new Branch(0, null, -1, 0, sequence, 1), control, params,
                    maxLiveBranches(),
                    request.stop().maxNewTokens(), request.stop().stopTokenIds()));
        }
        branchesOpened = request.n();
    }

    @Override
    public List<StepPlan> plan() {
        planned.clear();
        plannedTrees.clear();
        List<StepPlan> plans = new ArrayList<>();
        for (BranchTree tree : trees) {
            openWaitingForks(tree);
            for (Branch branch : stepping(tree)) {
                planned.add(branch);
                plannedTrees.add(tree);
                plans.add(StepPlan.append(branch.sequence().table(), branch.sequence().pending()));
            }
        }
        return plans;
    }

    @Override
    public void consume(StepOutput output, int firstPlan) {
        step++;
        for (int p = 0; p < planned.size(); p++) {
            Sequence sequence = planned.get(p).sequence();
            output.commitPrefix(firstPlan + p, sequence.pending().length);
        }
        for (int p = 0; p < planned.size(); p++) {
            Branch branch = planned.get(p);
            BranchTree tree = plannedTrees.get(p);
            if (branch.finished()) {
                continue; // its tree ran out of budget earlier in this step
            }
            int token = choose(branch, tree, output, firstPlan + p);
            branch.sequence().accept(token, tokenizer);
            boolean budgetLeft = tree.count(token);
            if (token == control.fork() && budgetLeft) {
                if (tree.hasRoomForBranch() || branch.finished()) {
                    fork(tree, branch);
                } else {
                    branch.awaitFork();
                }
            }
            if (branch.finished()) {
                end(branch);
            }
            if (!budgetLeft) {
                for (Branch live : tree.live()) {
                    live.sequence().finish(FinishReason.LENGTH);
                    end(live);
                }
            }
        }
        for (BranchTree tree : trees) {
            int[] tokens = tree.advance();
            if (tokens.length > 0) {
                emitted(tree.index(), tokens);
            }
        }
    }

    /** The request's limit on branches alive at once in one tree. */
    protected int maxLiveBranches() {
        return request.strategyParams().apar().maxLiveBranches();
    }

    /** The branches of {@code tree} that decode a token in the coming step: every live one not waiting to fork. */
    protected List<Branch> stepping(BranchTree tree) {
        return tree.live().stream().filter(b -> !b.awaitingFork()).toList();
    }

    /**
     * Opens the forks that waited for room, oldest branch first, as far as the limit allows. When
     * every live branch waits, nothing would ever end to make room, so the oldest opens over the
     * limit: the limit is soft rather than able to stall a tree or change its answer.
     */
    private void openWaitingForks(BranchTree tree) {
        List<Branch> branches = tree.branches();
        for (int i = 0, opened = branches.size(); i < opened; i++) { // forks append; the new ones wait for nothing
            Branch branch = branches.get(i);
            if (branch.awaitingFork() && (tree.hasRoomForBranch() || !tree.anyDecoding())) {
                fork(tree, branch);
                branch.forkOpened();
            }
        }
    }

    /** The next token with {@code [Child]} always masked and {@code [Fork]} masked where it may not fork. */
    private int choose(Branch branch, BranchTree tree, StepOutput output, int plan) {
        boolean banFork = control.forking() && !tree.mayFork(branch);
        Sampler sampler = branch.sequence().sampler();
        if (sampler.params().greedy()) {
            int best = output.argmax(plan, 0);
            if (!banned(best, banFork)) {
                return best;
            }
        }
        float[] logits = output.logits(plan, 0);
        if (control.forking()) {
            logits[control.child()] = Float.NEGATIVE_INFINITY;
            if (banFork) {
                logits[control.fork()] = Float.NEGATIVE_INFINITY;
            }
        }
        return sampler.next(logits);
    }

    private boolean banned(int token, boolean banFork) {
        return control.forking() && (token == control.child() || (banFork && token == control.fork()));
    }

    /**
     * Opens the detail branch of the {@code [Fork]} just accepted. The child shares every block the
     * parent has committed; the {@code [Fork]} itself is not in the cache yet, so both the parent
     * and the child feed it next step and the last, partly filled block is copied on that write.
     */
    private void fork(BranchTree tree, Branch parent) {
        Sequence from = parent.sequence();
        int[] context = from.tokens(0);
        int[] prompt = Arrays.copyOf(context, context.length + 1);
        prompt[context.length] = control.child();
        BlockTable table = kv.fork(from.table());
        Sequence child = new Sequence(prompt, new Sampler(request.sampling(), seed + branchesOpened++),
                branchStop(List.of()), contextLength, table);
        tree.add(new Branch(tree.nextId(), parent, from.generatedCount() - 1, parent.depth() + 1, child, step + 1));
    }

    /**
     * A branch's own bound; stop strings are meant for the whole answer, whose end the root writes,
     * so only the root checks them.
     */
    private StopCriteria branchStop(List<String> stopStrings) {
        int max = params.maxBranchTokens() == 0 ? request.stop().maxNewTokens()
                : Math.min(params.maxBranchTokens(), request.stop().maxNewTokens());
        return new StopCriteria(request.stop().stopTokenIds(), stopStrings, max);
    }

    /** APAR's early release: a finished branch gives back the blocks only it holds at once. */
    private void end(Branch branch) {
        branch.ended(step);
        kv.free(branch.sequence().table());
    }

    @Override
    public List<Sequence> prefills() {
        List<Sequence> sequences = new ArrayList<>();
        for (BranchTree tree : trees) {
            stepping(tree).forEach(branch -> sequences.add(branch.sequence()));
        }
        return prefilling(sequences);
    }

    @Override
    public boolean finished() {
        return !trees.isEmpty() && trees.stream().allMatch(BranchTree::finished);
    }

    @Override
    protected List<GenerationResult.Completion> completions() {
        return trees.stream().map(BranchTree::completion).toList();
    }

    @Override
    public GenerationResult result() {
        return super.result().withTrace(trace());
    }

    AparTrace trace() {
        List<AparTrace.BranchRecord> records = new ArrayList<>();
        int generated = 0;
        for (BranchTree tree : trees) {
            records.addAll(tree.records());
            generated += tree.generated();
        }
        return new AparTrace(records, generated);
    }

    /** The live state, for tests that look at blocks right after a fork. */
    List<BranchTree> trees() {
        return trees;
    }
}
