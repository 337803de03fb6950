package dev.braid.decoding;

import dev.braid.kv.KvLease;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import dev.braid.model.Tokenizer;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request in flight on a worker. Each step the worker asks for {@link #plan()}, runs the packed
 * batch, and hands the output to {@link #consume}, which accepts tokens and commits their K/V.
 * All methods but {@link #cancel()} run on the worker thread.
 */
public abstract class DecodingTask {

    protected final GenerationRequest request;
    protected final Tokenizer tokenizer;
    protected final GenerationListener listener;
    /** The request's seed, or a random one when it gave none: sequence {@code i} samples from {@code seed + i}. */
    protected final long seed;
    /** The task's handle on its worker's KV cache; null until the worker admits it. */
    protected KvLease kv;
    protected int contextLength;
    private final long createdNanos = System.nanoTime();
    private long firstTokenNanos = -1;
    private int steps;
    private long queryTokens;
    private int peakBlocks;
    private volatile boolean cancelled;
    private boolean preempted;
    private StepPrice price = StepPrice.FREE;
    private int acceptedThisStep;
    private int acceptedLastStep;
    private int decodingLastStep;
    private int logprobsTop = -1;

    protected DecodingTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        this.request = request;
        this.tokenizer = tokenizer;
        this.listener = listener;
        Long requested = request.sampling().seed();
        this.seed = requested != null ? requested : ThreadLocalRandom.current().nextLong();
    }

    public abstract String strategy();

    /** Called once when a worker admits the task, with the lease its sequences live in. */
    public final void start(KvLease kv, int contextLength) {
        this.kv = kv;
        this.contextLength = contextLength;
        onStart();
    }

    protected abstract void onStart();

    public boolean started() {
        return kv != null;
    }

    /**
     * The worker tells each task, before it plans, what guessed tokens cost in the coming step, so
     * strategies that spend extra tokens per step buy only those expected to pay.
     */
    public final void observePrice(StepPrice price) {
        this.price = price;
    }

    /** What guesses cost in the coming step, as the worker last said; free if never told. */
    protected final StepPrice price() {
        return price;
    }

    /** Tokens this task's sequences accepted in the step it last took part in. */
    public final int acceptedLastStep() {
        return acceptedLastStep;
    }

    /**
     * The decoding tokens of the step this task last took part in, the rows it read logits of
     * ({@link StepPlan#logitCount}); none for a step that only fed it a prefill chunk.
     */
    public final int decodingLastStep() {
        return decodingLastStep;
    }

    /**
     * {@code price} as the tasks planned after this one see it: this task's share of the batch is now
     * {@code plans}, this step's (none when it sits the step out), and the tokens it expects them to
     * accept, in place of what it decoded and accepted in its last step.
     */
    public final StepPrice plannedIn(StepPrice price, List<StepPlan> plans) {
        if (plans.isEmpty()) {
            return price.planned(decodingLastStep, acceptedLastStep, 0, 0);
        }
        return price.planned(decodingLastStep, acceptedLastStep, plans.stream().mapToInt(StepPlan::logitCount).sum(),
                expectedAccepted(plans));
    }

    /**
     * Tokens {@code plans}, this step's, are expected to accept: one a sequence by default. Tasks
     * that guess say what their guesses are expected to add.
     */
    protected double expectedAccepted(List<StepPlan> plans) {
        return plans.size();
    }

    /**
     * Sequences with more than one token waiting for the cache (a prompt, or a context to recompute)
     * whose next plan would feed them all: the worker may instead feed a chunk of those tokens
     * ({@link #prefilled}), leaving at least the last one to the task's own plan, which reads its
     * logits. None by default.
     */
    public List<Sequence> prefills() {
        return List.of();
    }

    /** Of {@code sequences}, those {@link #prefills()} may name: unfinished, with more than one token pending. */
    protected static List<Sequence> prefilling(Collection<Sequence> sequences) {
        return sequences.stream().filter(s -> !s.finished() && s.pendingCount() > 1).toList();
    }

    /** The worker fed a chunk of {@code tokens} of {@link #prefills()} this step in place of the task's own plan. */
    public final void prefilled(int tokens) {
        stepped(tokens, 0);
    }

    /** The work of the next step, one plan per sequence that needs the model. */
    public abstract List<StepPlan> plan();

    /** Reads this task's plans' logits, starting at plan index {@code firstPlan}, and commits K/V. */
    public abstract void consume(StepOutput output, int firstPlan);

    public abstract boolean finished();

    /**
     * Called when the task is admitted again after a preemption, once its sequences have started
     * again on what the prefix cache still holds of them ({@link KvLease#resumeAll}). Nothing more by
     * default: a task whose sequences should share a recomputed prefix instead rearranges them here.
     */
    protected void afterResume() {
    }

    protected abstract List<GenerationResult.Completion> completions();

    public GenerationRequest request() {
        return request;
    }

    /** Blocks needed to admit this task: its whole current context plus one token. */
    public int admissionBlocks(int blockSize) {
        return (request.promptIds().length + 1 + blockSize - 1) / blockSize;
    }

    public final void release() {
        if (kv != null) {
            kv.releaseAll();
        }
    }

    /**
     * Frees the task's blocks; it recomputes its context when {@link #resume}d. It holds nothing
     * while it waits, not even the cached prefix it will start from again.
     */
    public final void preempt() {
        if (kv != null) {
            kv.suspendAll();
        }
        preempted = true;
    }

    /**
     * Called when the worker admits the task again after a preemption: its sequences start anew from
     * what the prefix cache still holds of their context.
     */
    public final void resume() {
        if (preempted) {
            preempted = false;
            kv.resumeAll();
            afterResume();
        }
    }

    /** Whether this task can report token log-probabilities; strategies that guess tokens may not. */
    public boolean supportsLogprobs() {
        return false;
    }

    /**
     * Asks the task to report each accepted token's log-probability and the {@code top} most likely
     * alternatives through {@link GenerationListener#onLogprobs}; call before submitting it.
     */
    public void reportLogprobs(int top) {
        if (!supportsLogprobs()) {
            throw new UnsupportedOperationException(strategy() + " does not report log-probabilities");
        }
        if (top < 0) {
            throw new IllegalArgumentException("top logprobs must not be negative, got " + top);
        }
        logprobsTop = top;
    }

    /** How many alternatives to report with each token, or -1 when log-probabilities are off. */
    protected int logprobsTop() {
        return logprobsTop;
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Steps the task has taken part in so far, chunks of {@link #prefilled} prompt included. */
    protected final int stepsTaken() {
        return steps;
    }

    /**
     * Bookkeeping after each step the task took part in with {@code queryTokens} of the step's tokens,
     * {@code decodingTokens} of them rows it read logits of.
     */
    public final void stepped(int queryTokens, int decodingTokens) {
        steps++;
        this.queryTokens += queryTokens;
        decodingLastStep = decodingTokens;
        acceptedLastStep = acceptedThisStep;
        acceptedThisStep = 0;
        peakBlocks = Math.max(peakBlocks, kv.heldBlocks());
    }

    protected final void emitted(int sequence, int[] tokens) {
        acceptedThisStep += tokens.length;
        if (firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime() - createdNanos;
        }
        listener.onTokens(sequence, tokens);
    }

    public GenerationResult result() {
        return new GenerationResult(strategy(), request.promptIds().length, kv == null ? 0 : Math.toIntExact(kv.cachedTokens()),
                completions(), steps, queryTokens, peakBlocks,
                firstTokenNanos, System.nanoTime() - createdNanos).withSpeculation(speculation());
    }

    /** What guesses did, for strategies that make them; null for those that never guess. */
    protected Speculation speculation() {
        return null;
    }

    public GenerationListener listener() {
        return listener;
    }
}
