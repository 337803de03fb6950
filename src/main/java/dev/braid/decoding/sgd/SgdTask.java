package dev.braid.decoding.sgd;

import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.FinishReason;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.Sampler;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.TokenDecoder;
import dev.braid.kv.BlockTable;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Skeleton Graph Decoding of one answer. Phase one decodes a skeleton; phase two decodes every
 * point whose parents are done, all of them in the same step, each from a prompt that shares one
 * prefilled trunk (question and plan) and adds its parents' answers. Anything SGD cannot schedule
 * falls back to AR decoding of the original prompt.
 */
final class SgdTask extends DecodingTask {

    private enum Phase { SKELETON, NODES, FALLBACK, DONE }

    /** What this step's plans are for. */
    private enum Planned { NOTHING, SKELETON, FALLBACK, TRUNK, NODES, SETTLE }

    private static final long SKELETON_SEED = 0x5E1E70L;
    /** How long an otherwise idle worker waits on the draft model before asking again. */
    private static final long DRAFT_WAIT_MICROS = 2_000;

    private final SgdPrompts prompts;
    private final DraftCalls drafts;
    private final PromptEncoder encoder;
    private final long seed;
    private final PointEnds pointEnds;
    private final List<NodeRun> plannedNodes = new ArrayList<>();

    private Phase phase;
    private Planned planned = Planned.NOTHING;
    private boolean idleSinceLastStep;
    private int step;
    private String question;
    private Sequence skeletonRun;
    private String skeletonText;
    private int skeletonSteps;
    private String fallbackReason;
    private Sequence fallback;
    private List<NodeRun> nodes = List.of();
    private AnswerStream stream;
    private int[] trunkIds;
    private BlockTable trunk;
    private boolean trunkPrefilled;
    private BlockTable settle;
    private boolean settling;

    SgdTask(GenerationRequest request, TokenDecoder decoder, GenerationListener listener, SgdPrompts prompts,
            DraftRoute draft, PromptEncoder encoder) {
        super(request, decoder, listener);
        this.prompts = prompts;
        this.drafts = draft == null ? null : new DraftCalls(draft);
        this.encoder = encoder;
        this.pointEnds = new PointEnds(request.stop().stopTokenIds(), prompts.nodeEndsAtNewline(), decoder);
        Long requested = request.sampling().seed();
        this.seed = requested != null ? requested : ThreadLocalRandom.current().nextLong();
    }

    @Override
    public String strategy() {
        return SgdStrategy.NAME;
    }

    @Override
    protected void onStart() {
        question = decoder.decode(request.promptIds()).strip();
        if (encoder == null) {
            fallBack("the model's tokenizer cannot encode SGD's prompts");
        } else if (prompts.fixedSkeleton() != null) {
            skeletonText = prompts.fixedSkeleton();
            schedule();
        } else {
            int[] prompt = encoder.encode(prompts.skeletonPrompt(question), true);
            if (prompt.length >= contextLength) {
                fallBack("the skeleton prompt does not fit the model's context");
                return;
            }
            StopCriteria stop = new StopCriteria(request.stop().stopTokenIds(), List.of(), prompts.maxSkeletonTokens());
            skeletonRun = new Sequence(prompt, new Sampler(request.sampling(), seed + SKELETON_SEED), stop,
                    contextLength, cache.newSequence());
            phase = Phase.SKELETON;
        }
    }

    @Override
    public List<StepPlan> plan() {
        plannedNodes.clear();
        List<StepPlan> plans = switch (phase) {
            case SKELETON -> single(Planned.SKELETON, skeletonRun);
            case FALLBACK -> single(Planned.FALLBACK, fallback);
            case NODES -> planNodes();
            case DONE -> settling ? settle() : none();
        };
        idleSinceLastStep = plans.isEmpty();
        return plans;
    }

    private List<StepPlan> single(Planned kind, Sequence sequence) {
        planned = kind;
        return List.of(StepPlan.append(sequence.table(), sequence.pending()));
    }

    private List<StepPlan> none() {
        planned = Planned.NOTHING;
        return List.of();
    }

    private List<StepPlan> settle() {
        settle = cache.newSequence();
        planned = Planned.SETTLE;
        return List.of(StepPlan.append(settle, new int[] {request.promptIds()[0]}));
    }

    private List<StepPlan> planNodes() {
        if (drafts != null) {
            if (idleSinceLastStep) {
                drafts.await(DRAFT_WAIT_MICROS);
            }
            drafts.collect(this::drafted);
        }
        if (allNodesDone()) {
            // the last point came from the draft model between steps; the worker only retires a
            // task after a forward pass, so one minimal pass closes the task
            complete();
            settling = true;
            return settle();
        }
        for (NodeRun node : nodes) {
            if (!node.started() && ready(node) && routesToDraft(node)) {
                startOnDraft(node);
            }
        }
        if (trunk != null && !trunkPrefilled) {
            planned = Planned.TRUNK;
            return List.of(StepPlan.append(trunk, trunkIds));
        }
        List<StepPlan> plans = new ArrayList<>();
        for (NodeRun node : nodes) {
            if (!node.started() && ready(node)) {
                startOnTarget(node);
            }
            if (node.decodingOnTarget() && node.sequence().table().length() == 0 && trunk != null) {
                node.sequence().replaceTable(cache.fork(trunk)); // preempted: share the new trunk again
            }
            if (node.decodingOnTarget()) {
                plannedNodes.add(node);
                plans.add(StepPlan.append(node.sequence().table(), node.sequence().pending()));
            }
        }
        if (trunk != null && nodes.stream().allMatch(NodeRun::started)) {
            cache.free(trunk); // every point has its own reference to the shared blocks by now
            trunk = null;
        }
        planned = plans.isEmpty() ? Planned.NOTHING : Planned.NODES;
        return plans;
    }

    @Override
    public void consume(StepOutput output, int firstPlan) {
        idleSinceLastStep = false;
        if (planned == Planned.NOTHING) {
            return; // another task's step; this one was waiting on the draft model
        }
        step++;
        switch (planned) {
            case SKELETON -> consumeSkeleton(output, firstPlan);
            case FALLBACK -> consumeFallback(output, firstPlan);
            case TRUNK -> {
                output.commitPrefix(cache, firstPlan, trunkIds.length);
                trunkPrefilled = true;
            }
            case NODES -> consumeNodes(output, firstPlan);
            case SETTLE -> {
                cache.free(settle);
                settle = null;
                settling = false;
            }
            case NOTHING -> throw new IllegalStateException("unreachable");
        }
        planned = Planned.NOTHING;
    }

    private void consumeSkeleton(StepOutput output, int plan) {
        skeletonSteps++;
        skeletonRun.accept(next(skeletonRun, output, plan), decoder);
        if (skeletonRun.finished()) {
            cache.free(skeletonRun.table());
            skeletonText = prompts.skeletonPrefill() + decoder.decode(skeletonRun.generated());
            schedule();
        }
    }

    private void consumeFallback(StepOutput output, int plan) {
        int token = next(fallback, output, plan);
        fallback.accept(token, decoder);
        emitted(0, new int[] {token});
        if (fallback.finished()) {
            cache.free(fallback.table());
            phase = Phase.DONE;
        }
    }

    private void consumeNodes(StepOutput output, int firstPlan) {
        for (int p = 0; p < plannedNodes.size(); p++) {
            NodeRun node = plannedNodes.get(p);
            Sequence sequence = node.sequence();
            int token = next(sequence, output, firstPlan + p);
            sequence.accept(token, decoder);
            if (!sequence.finished() && pointEnds.ends(token)) {
                sequence.finish(FinishReason.STOP);
            }
            if (sequence.finished()) {
                cache.free(sequence.table());
                node.finish(pointEnds.answer(sequence.generated()), sequence.finishReason(), step);
            }
        }
        if (allNodesDone()) {
            complete();
        } else {
            stream();
        }
    }

    /** Commits the plan's pending tokens and picks the sequence's next token. */
    private int next(Sequence sequence, StepOutput output, int plan) {
        output.commitPrefix(cache, plan, sequence.pending().length);
        return sequence.sampler().params().greedy()
                ? output.argmax(plan, 0)
                : sequence.sampler().sample(output.logits(plan, 0));
    }

    /** Parses the skeleton and starts phase two, or falls back with the parser's reason. */
    private void schedule() {
        Skeleton skeleton;
        try {
            skeleton = new SkeletonParser(prompts.maxPoints()).parse(skeletonText);
        } catch (MalformedSkeletonException e) {
            fallBack("malformed skeleton: " + e.reason());
            return;
        }
        trunkIds = encoder.encode(prompts.nodeTrunk(question, skeleton), true);
        if (trunkIds.length >= contextLength) {
            fallBack("the points' prompt does not fit the model's context");
            return;
        }
        nodes = skeleton.points().stream().map(NodeRun::new).toList();
        List<int[]> headings = new ArrayList<>();
        for (Skeleton.Point point : skeleton.points()) {
            headings.add(encoder.encode(prompts.heading(point), false));
        }
        stream = new AnswerStream(nodes, headings, encoder.encode(prompts.separator(), false));
        newTrunk();
        phase = Phase.NODES;
    }

    /**
     * The prompt part every point shares, prefilled once and forked into each point's table; only
     * worth a step while some point is still to be decoded on the target.
     */
    private void newTrunk() {
        boolean needed = nodes.stream().anyMatch(n -> n.decodingOnTarget() || (!n.started() && !routesToDraft(n)));
        trunk = needed ? cache.newSequence() : null;
        trunkPrefilled = false;
    }

    private void fallBack(String reason) {
        fallbackReason = reason;
        nodes = List.of();
        fallback = new Sequence(request.promptIds(), new Sampler(request.sampling(), seed), request.stop(),
                contextLength, cache.newSequence());
        phase = Phase.FALLBACK;
    }

    private boolean ready(NodeRun node) {
        for (int parent : node.point().dependsOn()) {
            if (!nodes.get(parent - 1).done()) {
                return false;
            }
        }
        return true;
    }

    private boolean routesToDraft(NodeRun node) {
        return drafts != null && node.point().difficulty() == Skeleton.Difficulty.EASY;
    }

    /** The question and plan (the shared trunk), then the parents' answers and the point's heading. */
    private int[] promptFor(NodeRun node) {
        StringBuilder parents = new StringBuilder();
        for (int parent : node.point().dependsOn().stream().sorted().toList()) {
            NodeRun done = nodes.get(parent - 1);
            parents.append(prompts.parent(done.point(), decoder.decode(done.answer())));
        }
        int[] suffix = encoder.encode(prompts.nodeSuffix(node.point(), parents.toString()), false);
        int[] prompt = Arrays.copyOf(trunkIds, trunkIds.length + suffix.length);
        System.arraycopy(suffix, 0, prompt, trunkIds.length, suffix.length);
        return prompt;
    }

    private int pointBudget() {
        return Math.min(prompts.maxNodeTokens(), request.stop().maxNewTokens());
    }

    private void startOnTarget(NodeRun node) {
        int[] prompt = promptFor(node);
        if (prompt.length >= contextLength) {
            node.finish(new int[0], FinishReason.LENGTH, step);
            return;
        }
        BlockTable table = trunk != null && trunkPrefilled ? cache.fork(trunk) : cache.newSequence();
        StopCriteria stop = new StopCriteria(request.stop().stopTokenIds(), List.of(), pointBudget());
        Sampler sampler = new Sampler(request.sampling(), seed + node.point().index());
        node.startOnTarget(prompt, new Sequence(prompt, sampler, stop, contextLength, table), step + 1);
    }

    private void startOnDraft(NodeRun node) {
        int[] prompt = promptFor(node);
        SamplingParams sampling = request.sampling();
        GenerationRequest nodeRequest = new GenerationRequest(prompt,
                new SamplingParams(sampling.temperature(), sampling.topK(), sampling.topP(), seed + node.point().index()),
                new StopCriteria(request.stop().stopTokenIds(), prompts.nodeEndsAtNewline() ? List.of("\n") : List.of(),
                        pointBudget()), 1);
        node.startOnDraft(drafts.model(), prompt, step + 1);
        if (!drafts.send(node, nodeRequest)) {
            node.abandonDraft();
        }
    }

    private void drafted(DraftCalls.Answer answer) {
        NodeRun node = answer.node();
        if (answer.error() != null || answer.result().completions().isEmpty()) {
            node.abandonDraft();
            return;
        }
        GenerationResult.Completion completion = answer.result().first();
        int[] tokens = pointEnds.answer(completion.tokenIds());
        FinishReason reason = tokens.length < completion.tokenIds().length ? FinishReason.STOP
                : completion.finishReason();
        // collected while planning the next step, the first one that can use the answer
        node.finish(tokens, reason, step + 1);
    }

    private boolean allNodesDone() {
        return !nodes.isEmpty() && nodes.stream().allMatch(NodeRun::done);
    }

    private void complete() {
        stream();
        if (trunk != null) {
            cache.free(trunk);
            trunk = null;
        }
        phase = Phase.DONE;
    }

    private void stream() {
        int[] tokens = stream.advance();
        if (tokens.length > 0) {
            emitted(0, tokens);
        }
    }

    @Override
    public boolean finished() {
        return phase == Phase.DONE && !settling;
    }

    @Override
    public void cancel() {
        super.cancel();
        if (drafts != null) {
            drafts.cancelAll();
        }
    }

    @Override
    protected List<BlockTable> tables() {
        List<BlockTable> tables = new ArrayList<>();
        for (Sequence sequence : new Sequence[] {skeletonRun, fallback}) {
            if (sequence != null) {
                tables.add(sequence.table());
            }
        }
        for (BlockTable table : new BlockTable[] {trunk, settle}) {
            if (table != null) {
                tables.add(table);
            }
        }
        for (NodeRun node : nodes) {
            if (node.sequence() != null) {
                tables.add(node.sequence().table());
            }
        }
        return tables;
    }

    @Override
    protected void resetKv() {
        if (skeletonRun != null) {
            skeletonRun.replaceTable(cache.newSequence());
        }
        if (fallback != null) {
            fallback.replaceTable(cache.newSequence());
        }
        settle = null;
        for (NodeRun node : nodes) {
            if (node.decodingOnTarget()) {
                node.sequence().replaceTable(cache.newSequence());
            }
        }
        if (phase == Phase.NODES) {
            newTrunk(); // the points in flight recompute only their own part, forked from it
        }
    }

    @Override
    protected List<GenerationResult.Completion> completions() {
        if (fallback != null) {
            return List.of(fallback.completion());
        }
        if (stream == null) {
            return List.of(new GenerationResult.Completion(new int[0], FinishReason.CANCELLED, null));
        }
        FinishReason reason = !allNodesDone() ? FinishReason.CANCELLED
                : nodes.stream().anyMatch(n -> n.finishReason() == FinishReason.LENGTH) ? FinishReason.LENGTH
                : FinishReason.STOP;
        return List.of(new GenerationResult.Completion(stream.document(), reason, null));
    }

    @Override
    public GenerationResult result() {
        return super.result().withTrace(trace());
    }

    SgdTrace trace() {
        List<SgdTrace.NodeRecord> records = new ArrayList<>();
        int generated = fallback != null ? fallback.generatedCount() : 0;
        for (NodeRun node : nodes) {
            int[] tokens = node.visibleTokens();
            generated += tokens.length;
            Skeleton.Point p = node.point();
            records.add(new SgdTrace.NodeRecord(p.index(), p.title(), p.dependsOn(), p.difficulty(), node.model(),
                    node.startStep(), node.endStep(), tokens, node.finishReason()));
        }
        return new SgdTrace(skeletonText, skeletonSteps, records, fallbackReason, generated);
    }

    /** Points in skeleton order, for tests that look at their prompts. */
    List<NodeRun> nodes() {
        return nodes;
    }
}
