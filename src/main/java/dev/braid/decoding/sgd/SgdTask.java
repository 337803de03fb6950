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
import dev.braid.model.Tokenizer;
import dev.braid.kv.BlockTable;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Skeleton Graph Decoding of one answer. Phase one decodes a skeleton; phase two decodes every
 * point whose parents are done, all of them in the same step, each from a prompt that shares one
 * prefilled trunk (the question, and the plan where the point prompt shows it) and adds its
 * parents' answers. Anything SGD cannot schedule falls back to AR decoding of the original prompt.
 *
 * <p>Where the point prompt does not show the whole plan, a point starts while the skeleton is still
 * being written, as soon as its line is complete and its parents are done (Plato's pipelining of
 * planning and decoding): its skeleton line and its parents are all it needs. A skeleton that turns
 * out malformed still falls back, and the points started early are dropped.
 */
final class SgdTask extends DecodingTask {

    private enum Phase { SKELETON, NODES, FALLBACK, DONE }

    /** What one of this step's plans is for. */
    private enum Role { SKELETON, FALLBACK, TRUNK, NODE }

    private static final long SKELETON_SEED = 0x5E1E70L;
    /** How long an otherwise idle worker waits on the draft model before asking again. */
    private static final long DRAFT_WAIT_MICROS = 2_000;

    private final SgdPrompts prompts;
    private final DraftCalls drafts;
    private final PointEnds pointEnds;
    private final SkeletonParser parser;
    private final List<Role> roles = new ArrayList<>();
    private final List<NodeRun> plannedNodes = new ArrayList<>();

    private Phase phase;
    private boolean idleSinceLastStep;
    private int step;
    private String question;
    private Sequence skeletonRun;
    private String skeletonText;
    private int skeletonSteps;
    private String fallbackReason;
    private Sequence fallback;
    private List<NodeRun> nodes = new ArrayList<>();
    private AnswerStream stream;
    private int[] trunkIds;
    private BlockTable trunk;
    private boolean trunkPrefilled;

    SgdTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener, SgdPrompts prompts,
            DraftRoute draft) {
        super(request, tokenizer, listener);
        this.prompts = prompts;
        this.drafts = draft == null ? null : new DraftCalls(draft);
        this.pointEnds = new PointEnds(request.stop().stopTokenIds(), prompts.nodeEndsAtNewline(), tokenizer);
        this.parser = new SkeletonParser(prompts.maxPoints());
    }

    @Override
    public String strategy() {
        return SgdStrategy.NAME;
    }

    @Override
    protected void onStart() {
        question = tokenizer.decode(request.promptIds()).strip();
        if (prompts.fixedSkeleton() != null) {
            skeletonText = prompts.fixedSkeleton();
            schedule();
        } else {
            int[] prompt = tokenizer.encode(prompts.skeletonPrompt(question), true);
            if (prompt.length >= contextLength) {
                fallBack("the skeleton prompt does not fit the model's context");
                return;
            }
            StopCriteria stop = new StopCriteria(request.stop().stopTokenIds(), List.of(), prompts.maxSkeletonTokens());
            skeletonRun = new Sequence(prompt, new Sampler(request.sampling(), seed + SKELETON_SEED), stop,
                    contextLength, kv.newSequence(prompt));
            phase = Phase.SKELETON;
        }
    }

    @Override
    public List<StepPlan> plan() {
        roles.clear();
        plannedNodes.clear();
        List<StepPlan> plans = new ArrayList<>();
        switch (phase) {
            case SKELETON -> {
                add(plans, Role.SKELETON, StepPlan.append(skeletonRun.table(), skeletonRun.pending()));
                planPoints(plans);
            }
            case FALLBACK -> add(plans, Role.FALLBACK, StepPlan.append(fallback.table(), fallback.pending()));
            case NODES -> {
                awaitDrafts();
                if (allNodesDone()) {
                    complete(); // the last point came from the draft model between steps
                } else {
                    planPoints(plans);
                }
            }
            case DONE -> {
            }
        }
        idleSinceLastStep = plans.isEmpty();
        return plans;
    }

    private void add(List<StepPlan> plans, Role role, StepPlan plan) {
        roles.add(role);
        plans.add(plan);
    }

    private void awaitDrafts() {
        if (drafts != null && idleSinceLastStep) {
            drafts.await(DRAFT_WAIT_MICROS);
        }
    }

    /** Starts every ready point and plans the trunk's prefill or the points decoding on the target. */
    private void planPoints(List<StepPlan> plans) {
        if (drafts != null) {
            drafts.collect(this::drafted);
        }
        for (NodeRun node : nodes) {
            if (!node.started() && ready(node) && routesToDraft(node)) {
                startOnDraft(node);
            }
        }
        if (trunk == null && needsTrunk()) {
            trunk = kv.newSequence(trunkIds);
            trunkPrefilled = false;
        }
        if (trunk != null && !trunkPrefilled) {
            add(plans, Role.TRUNK, StepPlan.append(trunk, Arrays.copyOfRange(trunkIds, trunk.length(), trunkIds.length)));
            return;
        }
        for (NodeRun node : nodes) {
            if (!node.started() && ready(node)) {
                startOnTarget(node);
            }
            if (node.decodingOnTarget() && node.sequence().table().length() == 0 && trunk != null) {
                node.sequence().replaceTable(kv.fork(trunk)); // preempted: share the new trunk again
            }
            if (node.decodingOnTarget()) {
                plannedNodes.add(node);
                add(plans, Role.NODE, StepPlan.append(node.sequence().table(), node.sequence().pending()));
            }
        }
        if (trunk != null && phase == Phase.NODES && nodes.stream().allMatch(NodeRun::started)) {
            kv.free(trunk); // every point has its own reference to the shared blocks by now
            trunk = null;
        }
    }

    @Override
    public void consume(StepOutput output, int firstPlan) {
        idleSinceLastStep = false;
        if (roles.isEmpty()) {
            return; // another task's step; this one was waiting on the draft model
        }
        step++;
        int node = 0;
        for (int i = 0; i < roles.size(); i++) {
            int plan = firstPlan + i;
            Role role = roles.get(i);
            if (phase == Phase.FALLBACK && role != Role.FALLBACK) {
                continue; // the skeleton just fell back: the trunk and the points started early are freed
            }
            switch (role) {
                case SKELETON -> consumeSkeleton(output, plan);
                case FALLBACK -> consumeFallback(output, plan);
                case TRUNK -> {
                    output.commitPrefix(plan, trunkIds.length - trunk.length());
                    trunkPrefilled = true;
                }
                case NODE -> consumeNode(plannedNodes.get(node++), output, plan);
            }
        }
        roles.clear();
        if (phase == Phase.NODES) {
            if (allNodesDone()) {
                complete();
            } else {
                stream();
            }
        }
    }

    private void consumeSkeleton(StepOutput output, int plan) {
        int token = next(skeletonRun, output, plan);
        skeletonRun.accept(token, tokenizer);
        if (skeletonRun.finished()) {
            kv.free(skeletonRun.table());
            skeletonText = skeletonText();
            schedule();
        } else if (tokenizer.decode(new int[] {token}).indexOf('\n') >= 0) {
            readCompleteLines(skeletonText());
        } else {
            checkUnfinishedLine(skeletonText());
        }
        if (phase != Phase.SKELETON) {
            // phase one is the task's first steps, the chunks that prefilled the skeleton prompt
            // included; this step is counted once consumed
            skeletonSteps = stepsTaken() + 1;
        }
    }

    private String skeletonText() {
        return prompts.skeletonPrefill() + tokenizer.decode(skeletonRun.generated());
    }

    /**
     * Called when a line of the skeleton has just been completed. Complete lines that are no skeleton
     * of their own never become one: later lines cannot mend a line's format, and a point may only
     * build on points before it. So the task falls back at once instead of decoding the rest of a plan
     * it cannot use. Otherwise, where the point prompt does not show the whole plan, the points whose
     * lines are complete are added, to start as soon as they are ready.
     */
    private void readCompleteLines(String text) {
        String complete = text.substring(0, text.lastIndexOf('\n'));
        if (complete.isBlank()) {
            return;
        }
        Skeleton partial;
        try {
            partial = parser.parse(complete);
        } catch (MalformedSkeletonException e) {
            skeletonText = text;
            fallBack("malformed skeleton: " + e.reason());
            return;
        }
        if (prompts.pointPromptShowsPlan()) {
            return;
        }
        if (trunkIds == null && !encodeTrunk(partial)) {
            return; // the full parse falls back for this
        }
        for (int i = nodes.size(); i < partial.size(); i++) {
            nodes.add(new NodeRun(partial.points().get(i)));
        }
    }

    /** Falls back as soon as the line being written can no longer become a point. */
    private void checkUnfinishedLine(String text) {
        int start = text.lastIndexOf('\n') + 1;
        int number = (int) text.chars().limit(start).filter(c -> c == '\n').count() + 1;
        try {
            parser.checkUnfinishedLine(number, text.substring(start));
        } catch (MalformedSkeletonException e) {
            skeletonText = text;
            fallBack("malformed skeleton: " + e.reason());
        }
    }

    private void consumeFallback(StepOutput output, int plan) {
        int token = next(fallback, output, plan);
        fallback.accept(token, tokenizer);
        emitted(0, new int[] {token});
        if (fallback.finished()) {
            kv.free(fallback.table());
            phase = Phase.DONE;
        }
    }

    private void consumeNode(NodeRun node, StepOutput output, int plan) {
        Sequence sequence = node.sequence();
        int token = next(sequence, output, plan);
        sequence.accept(token, tokenizer);
        if (!sequence.finished() && pointEnds.ends(token)) {
            sequence.finish(FinishReason.STOP);
        }
        if (sequence.finished()) {
            kv.free(sequence.table());
            node.finish(pointEnds.answer(sequence.generated()), sequence.finishReason(), step);
        }
    }

    /** Commits the plan's pending tokens and picks the sequence's next token. */
    private int next(Sequence sequence, StepOutput output, int plan) {
        output.commitPrefix(plan, sequence.pending().length);
        return sequence.sampler().next(output, plan, 0);
    }

    /** Parses the skeleton and starts phase two, or falls back with the parser's reason. */
    private void schedule() {
        Skeleton skeleton;
        try {
            skeleton = parser.parse(skeletonText);
        } catch (MalformedSkeletonException e) {
            fallBack("malformed skeleton: " + e.reason());
            return;
        }
        if (trunkIds == null && !encodeTrunk(skeleton)) {
            fallBack("the points' prompt does not fit the model's context");
            return;
        }
        // the points started early came from the same lines, so they are this skeleton's first points
        for (int i = nodes.size(); i < skeleton.size(); i++) {
            nodes.add(new NodeRun(skeleton.points().get(i)));
        }
        List<int[]> headings = new ArrayList<>();
        for (Skeleton.Point point : skeleton.points()) {
            headings.add(tokenizer.encode(prompts.heading(point), false));
        }
        stream = new AnswerStream(nodes, headings, tokenizer.encode(prompts.separator(), false));
        phase = Phase.NODES;
    }

    /** Encodes the points' shared prompt; false when it leaves no room to answer. */
    private boolean encodeTrunk(Skeleton skeleton) {
        int[] ids = tokenizer.encode(prompts.nodeTrunk(question, skeleton), true);
        if (ids.length >= contextLength) {
            return false;
        }
        trunkIds = ids;
        return true;
    }

    /**
     * The trunk is prefilled once and forked into each point's table; it is only worth a step while
     * some point is about to start on the target, or lost its KV to preemption.
     */
    private boolean needsTrunk() {
        for (NodeRun node : nodes) {
            boolean starts = !node.started() && ready(node);
            boolean preempted = node.decodingOnTarget() && node.sequence().table().length() == 0;
            if (starts || preempted) {
                return true;
            }
        }
        return false;
    }

    private void fallBack(String reason) {
        fallbackReason = reason;
        if (skeletonRun != null) {
            kv.free(skeletonRun.table()); // a no-op when the skeleton ended before it was parsed
            skeletonRun = null;
        }
        for (NodeRun node : nodes) {
            if (node.decodingOnTarget()) {
                kv.free(node.sequence().table());
            }
        }
        if (trunk != null) {
            kv.free(trunk);
            trunk = null;
        }
        if (drafts != null) {
            drafts.cancelAll(); // points started before the skeleton turned out malformed
        }
        nodes = new ArrayList<>();
        fallback = new Sequence(request.promptIds(), new Sampler(request.sampling(), seed), request.stop(),
                contextLength, kv.newSequence(request.promptIds()));
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
            parents.append(prompts.parent(done.point(), tokenizer.decode(done.answer())));
        }
        int[] suffix = tokenizer.encode(prompts.nodeSuffix(node.point(), parents.toString()), false);
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
        BlockTable table = trunk != null && trunkPrefilled ? kv.fork(trunk) : kv.newSequence(prompt);
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
            kv.free(trunk);
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

    /** The skeleton's prompt, or the fallback's: the trunk and the points are short and fork the trunk. */
    @Override
    public List<Sequence> prefills() {
        return switch (phase) {
            case SKELETON -> prefilling(List.of(skeletonRun));
            case FALLBACK -> prefilling(List.of(fallback));
            default -> List.of();
        };
    }

    @Override
    public boolean finished() {
        return phase == Phase.DONE;
    }

    @Override
    public void cancel() {
        super.cancel();
        if (drafts != null) {
            drafts.cancelAll();
        }
    }

    @Override
    protected void afterResume() {
        // the points in flight recompute only their own part, forked from a trunk prefilled anew,
        // rather than each its own copy of the question where the cache no longer holds it
        for (NodeRun node : nodes) {
            if (node.decodingOnTarget()) {
                kv.free(node.sequence().table());
                node.sequence().replaceTable(kv.newSequence());
            }
        }
        if (trunk != null) {
            kv.free(trunk);
            trunk = null;
        }
        trunkPrefilled = false;
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
        return new SgdTrace(skeletonText, phase == Phase.SKELETON ? stepsTaken() : skeletonSteps, records,
                fallbackReason, generated);
    }

    /** Points in skeleton order, for tests that look at their prompts. */
    List<NodeRun> nodes() {
        return nodes;
    }
}
