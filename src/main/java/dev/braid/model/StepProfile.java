package dev.braid.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a worker's steps spend their time, phase by phase, summed over every step it has run.
 * PyTorch runs CPU ops synchronously, so the wall clock between two laps is the work of the ops in
 * between; on a GPU the laps only time the host's side. A lap is one {@code nanoTime} call, so the
 * profile is always on.
 *
 * <p>Written by the one worker thread that owns it; {@link #snapshot} may be called from any thread
 * and reads a copy published at the end of each step.
 */
public final class StepProfile {

    /** A step's phases, in the order a step runs them. */
    public enum Phase {
        PLAN("plan", "strategies plan their sequences, KV reserved, the batch laid out"),
        INPUTS("inputs", "token, position, index and mask tensors of the step"),
        EMBED("embed", "token embeddings and rotary tables gathered"),
        PROJECT("project", "norm, Q/K/V projection, rotary positions"),
        ATTEND("attend", "attention over the cached context and the step's own tokens"),
        MLP("mlp", "output projection, norm, MLP, residuals"),
        HEAD("head", "final norm and LM head on the rows that need logits"),
        LOGITS("logits", "logits or argmax ids copied to the JVM"),
        CONSUME("consume", "strategies read their logits, accept tokens, commit K/V rows"),
        KV_WRITE("kv_write", "committed K/V rows written to the cache"),
        RELEASE("release", "the step's native tensors freed"),
        FINISH("finish", "finished requests answered, statistics published");

        private final String key;
        private final String description;

        Phase(String key, String description) {
            this.key = key;
            this.description = description;
        }

        public String key() {
            return key;
        }

        public String description() {
            return description;
        }
    }

    /**
     * Summed milliseconds per phase over {@code steps} steps, and what those steps computed: query
     * {@code tokens}, cached {@code contextRows} read (one per sequence and cached position), and
     * {@code attendedPairs} (query token, key position) that attention scored.
     */
    public record Totals(long steps, long tokens, long contextRows, long attendedPairs, double[] millis) {

        public static final Totals NONE = new Totals(0, 0, 0, 0, new double[Phase.values().length]);

        public double total() {
            return Arrays.stream(millis).sum();
        }

        public Totals plus(Totals other) {
            double[] sum = new double[millis.length];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = millis[i] + other.millis[i];
            }
            return new Totals(steps + other.steps, tokens + other.tokens, contextRows + other.contextRows,
                    attendedPairs + other.attendedPairs, sum);
        }

        /** What happened between {@code earlier} and this snapshot. */
        public Totals since(Totals earlier) {
            double[] diff = new double[millis.length];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = millis[i] - earlier.millis[i];
            }
            return new Totals(steps - earlier.steps, tokens - earlier.tokens, contextRows - earlier.contextRows,
                    attendedPairs - earlier.attendedPairs, diff);
        }

        /** Milliseconds per step by phase key, in step order, and {@code total}. */
        public Map<String, Double> perStep() {
            Map<String, Double> out = new LinkedHashMap<>();
            double n = Math.max(1, steps);
            for (Phase phase : Phase.values()) {
                out.put(phase.key(), millis[phase.ordinal()] / n);
            }
            out.put("total", total() / n);
            return out;
        }
    }

    private final long[] nanos = new long[Phase.values().length];
    private long steps;
    private long tokens;
    private long contextRows;
    private long attendedPairs;
    private long last;
    private long carved;
    private volatile Totals published = Totals.NONE;

    /** Starts a step's clock. */
    public void start() {
        last = System.nanoTime();
        carved = 0;
    }

    /** Charges the time since the last lap to {@code phase}, less what {@link #charge} took out of it. */
    public void lap(Phase phase) {
        long now = System.nanoTime();
        nanos[phase.ordinal()] += now - last - carved;
        last = now;
        carved = 0;
    }

    /**
     * Charges {@code nanos} measured inside the current lap to {@code phase} instead, e.g. the logits
     * transfer a strategy triggers while it consumes.
     */
    public void charge(Phase phase, long spent) {
        nanos[phase.ordinal()] += spent;
        carved += spent;
    }

    /**
     * Counts what {@code batch} computes. Called before its forward pass, while each plan's table
     * holds only the context the step attends to.
     */
    public void count(StepBatch batch) {
        for (StepPlan plan : batch.plans()) {
            int context = plan.table().length();
            int queries = plan.queryCount();
            tokens += queries;
            contextRows += context;
            attendedPairs += (long) queries * (context + queries);
        }
    }

    /** Ends a step: counts it and publishes the totals. */
    public void endStep() {
        steps++;
        double[] millis = new double[nanos.length];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = nanos[i] / 1e6;
        }
        published = new Totals(steps, tokens, contextRows, attendedPairs, millis);
    }

    public Totals snapshot() {
        return published;
    }
}
