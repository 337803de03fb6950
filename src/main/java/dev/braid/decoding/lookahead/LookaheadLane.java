package dev.braid.decoding.lookahead;

import dev.braid.decoding.Lane;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StepRoom;
import dev.braid.decoding.TokenDecoder;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One sequence under lookahead decoding: its window, its n-gram pool and, between plan and consume,
 * the step in flight.
 */
final class LookaheadLane extends Lane {

    private static final int PLAIN = 0;
    private static final int VERIFY = 1;
    private static final int FULL = 2;
    /** Plain steps in a row after which one full step runs, to see whether guesses pay now. */
    static final int PROBE_AFTER = 8;
    /** Weight of the newest step in {@link #accepting}. */
    private static final double RATE = 0.1;

    private final LookaheadParams params;
    /** Per shape, the verified tokens a step of that shape has been accepting, a decaying average. */
    private final double[] accepting = {0, 1, 1};
    private int shape;
    private int plainRun;
    private final LookaheadWindow window;
    private final NgramPool pool;
    private LookaheadStep step;
    private int columns;
    private int[][] candidates;
    private int current;
    private final List<LookaheadTrace.Step> trace = new ArrayList<>();

    LookaheadLane(Sequence sequence, PagedKvCache cache, TokenDecoder decoder, int contextLength,
                  LookaheadParams params, long seed) {
        super(sequence, cache, decoder, contextLength);
        this.params = params;
        int[] prompt = sequence.tokens(0);
        this.window = new LookaheadWindow(params.window(), params.ngram(), prompt, new SplittableRandom(seed));
        this.pool = new NgramPool(params.candidates(), params.ngram());
        if (params.textNgrams()) {
            pool.addAll(prompt);
        }
    }

    @Override
    public StepPlan plan(StepRoom room) {
        int[] pending = sequence.pending();
        current = pending[pending.length - 1];
        int length = Math.min(params.ngram() - 1, guessLimit());
        List<int[]> chosen = length > 0 ? pool.candidates(current, params.candidates(), length) : List.of();
        int fullColumns = length > 0 ? fittingColumns(params.window()) : 0;
        LookaheadStep[] shapes = {
            LookaheadStep.build(sequence.table(), pending, window, 0, List.of()),
            chosen.isEmpty() ? null : LookaheadStep.build(sequence.table(), pending, window, 0, chosen),
            fullColumns == 0 ? null : LookaheadStep.build(sequence.table(), pending, window, fullColumns, chosen)};
        shape = choose(room, pending.length, shapes);
        if (shape != PLAIN && !fits(room, shapes[shape].plan().queryCount())) {
            // a short pool must not preempt another request for the sake of guesses
            shape = PLAIN;
        }
        plainRun = shape == PLAIN ? plainRun + 1 : 0;
        step = shapes[shape];
        columns = shape == FULL ? fullColumns : 0;
        candidates = shape == PLAIN ? new int[0][] : chosen.toArray(int[][]::new);
        return step.plan();
    }

    /**
     * The shape this step runs: plain, verification of the pool's candidates alone, or candidates and
     * the window that feeds the pool; each priced by the tokens it adds against the tokens its kind
     * of step has been accepting, and the full shape now and then after a run of plain steps.
     */
    private int choose(StepRoom room, int base, LookaheadStep[] shapes) {
        if (shapes[FULL] != null && plainRun >= PROBE_AFTER) {
            return FULL;
        }
        int[] extra = new int[shapes.length];
        double[] gain = new double[shapes.length];
        for (int i = 1; i < shapes.length; i++) {
            // an option that is not on offer is priced out
            extra[i] = shapes[i] == null ? Integer.MAX_VALUE / 4 : shapes[i].plan().queryCount() - base;
            gain[i] = shapes[i] == null ? -1e9 : accepting[i];
        }
        return choose(room, base, extra, gain);
    }

    /** The tokens accepted at each step so far. */
    List<LookaheadTrace.Step> trace() {
        return trace;
    }

    /** The leading columns, up to {@code wanted}, whose every level lies inside the model's context. */
    private int fittingColumns(int wanted) {
        int room = contextLength - sequence.length();
        int c = 0;
        while (c < Math.min(wanted, window.width()) && c + window.filled(c) - 1 <= room) {
            c++;
        }
        return c;
    }

    @Override
    public int[] consume(StepOutput output, int plan) {
        Verification.Rows rows = new Verification.Rows() {
            @Override
            public int argmax(int row) {
                return output.argmax(plan, row);
            }

            @Override
            public double[] distribution(int row) {
                return sequence.sampler().distribution(output.logits(plan, row));
            }
        };
        int[][] candidateRows = new int[candidates.length][];
        for (int g = 0; g < candidates.length; g++) {
            candidateRows[g] = new int[candidates[g].length];
            for (int j = 0; j < candidates[g].length; j++) {
                candidateRows[g][j] = step.candidateRow(g, j);
            }
        }
        Verification.Verdict verdict = greedy()
                ? Verification.greedy(candidates, candidateRows, rows)
                : Verification.sampled(candidates, candidateRows, rows, sequence.sampler());
        for (int c = 0; c < columns; c++) {
            int[] ngram = window.advance(c, current, output.argmax(plan, step.topRow(c)));
            if (ngram != null) {
                pool.add(ngram, 0);
            }
        }
        if (verdict.matched() > 0) {
            pool.touch(current, candidates[verdict.candidate()]);
        }
        if (shape != PLAIN && candidates.length > 0) {
            accepting[shape] += RATE * (verdict.matched() - accepting[shape]);
        }
        int[] accepted = acceptRun(verdict.tokens());
        trace.add(new LookaheadTrace.Step(trace.size() + 1, accepted, Math.min(verdict.matched(), accepted.length)));
        if (params.textNgrams()) {
            // the n-grams ending in the new tokens; added last, so they are offered first
            pool.addAll(sequence.tokens(Math.max(0, sequence.length() - accepted.length - params.ngram() + 1)));
        }
        if (!sequence.finished()) {
            output.commit(cache, plan, step.commitIndices(verdict.candidate(), verdict.matched()));
        }
        return accepted;
    }
}
