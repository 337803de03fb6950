package dev.braid.decoding.lookahead;

import dev.braid.decoding.GuessMemory;
import dev.braid.decoding.Lane;
import dev.braid.decoding.ProbeSchedule;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StepRoom;
import dev.braid.model.Tokenizer;
import dev.braid.kv.KvLease;
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
    private static final int FULL = 4;
    private static final int SHAPES = ShapeAcceptance.SHAPES;
    /** Candidates each verifying shape checks: 1, 2, or all the pool offers (index 3); FULL adds the window. */
    private static final int[] VERIFIED = {0, 1, 2, Integer.MAX_VALUE, Integer.MAX_VALUE};
    private static final String PROBE_MEMORY = "lookahead-probes";

    private final LookaheadParams params;
    private ShapeAcceptance acceptance;
    private int shape;
    /** Per shape, how many of the pool's candidates it would verify this step. */
    private final int[] verifies = new int[SHAPES];
    private ProbeSchedule probes;
    private final LookaheadWindow window;
    private final NgramPool pool;
    private LookaheadStep step;
    private int columns;
    private int[][] candidates;
    private int current;
    private final List<LookaheadTrace.Step> trace = new ArrayList<>();

    LookaheadLane(Sequence sequence, KvLease kv, Tokenizer tokenizer, int contextLength,
                  LookaheadParams params, long seed) {
        super(sequence, kv, tokenizer, contextLength);
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
        if (acceptance == null) {
            // a new sequence starts from what this worker's lookahead shapes have been accepting
            GuessMemory memory = room.price().memory();
            acceptance = new ShapeAcceptance(memory);
            probes = new ProbeSchedule(memory, PROBE_MEMORY);
        }
        int[] pending = sequence.pending();
        current = pending[pending.length - 1];
        int length = Math.min(params.ngram() - 1, guessLimit());
        List<int[]> offered = length > 0 ? pool.candidates(current, params.candidates(), length) : List.of();
        int fullColumns = length > 0 ? fittingColumns(params.window()) : 0;
        // per shape its query tokens, or -1 where it is not on offer
        int[] tokens = new int[SHAPES];
        List<List<int[]>> verified = new ArrayList<>(SHAPES);
        for (int i = 0; i < SHAPES; i++) {
            // the pool offers its candidates best first, so the cheaper shapes verify the likeliest
            List<int[]> picked = i == PLAIN ? List.of()
                    : offered.subList(0, Math.min(offered.size(), i == FULL ? offered.size() : VERIFIED[i]));
            verified.add(picked);
            boolean distinct = i == PLAIN || i == FULL
                    || (!picked.isEmpty() && (VERIFIED[i] <= offered.size() || VERIFIED[i - 1] < offered.size()));
            int columns = i == FULL ? fullColumns : 0;
            tokens[i] = distinct && (i != FULL || columns > 0)
                    ? LookaheadStep.queryCount(pending.length, window, columns, picked) : -1;
            verifies[i] = picked.size();
        }
        boolean probe = probes.due();
        shape = choose(room, pending.length, tokens, !offered.isEmpty(), probe);
        if (shape != PLAIN && !fits(room, tokens[shape])) {
            // a short pool must not preempt another request for the sake of guesses
            shape = PLAIN;
            plainAfterAll();
        }
        probes.planned(shape != PLAIN, probe);
        columns = shape == FULL ? fullColumns : 0;
        step = LookaheadStep.build(sequence.table(), pending, window, columns, verified.get(shape));
        candidates = verified.get(shape).toArray(int[][]::new);
        return step.plan();
    }

    /**
     * The shape this step runs: plain, verification of the pool's best one, two or all candidates,
     * or all candidates and the window that feeds the pool; each priced by the tokens it adds against
     * the tokens a step of that shape has been accepting. After a run of plain steps one step prices
     * every shape as if it were accepting a token more than it has been, so a shape priced out
     * earlier is tried again as the text changes (see {@link ProbeSchedule}).
     */
    private int choose(StepRoom room, int base, int[] tokens, boolean candidatesOnOffer, boolean probe) {
        int[] extra = new int[tokens.length];
        double[] gain = new double[tokens.length];
        for (int i = 1; i < tokens.length; i++) {
            // an option that is not on offer is priced out
            extra[i] = tokens[i] < 0 ? Integer.MAX_VALUE / 4 : tokens[i] - base;
            // with no candidate to verify a step gains nothing now, its window only feeds the pool,
            // which only a probe's bonus pays for
            double expected = candidatesOnOffer ? acceptance.expected(i) : 0;
            gain[i] = tokens[i] < 0 ? -1e9 : expected;
        }
        return choose(room, base, extra, gain, probe);
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
            probes.paid();
        }
        acceptance.observe(shape, verifies, verdict);
        int[] accepted = acceptRun(verdict.tokens());
        int verifiedTokens = 0;
        for (int[] candidate : candidates) {
            verifiedTokens += candidate.length;
        }
        drafted(verifiedTokens, Math.min(verdict.matched(), accepted.length));
        trace.add(new LookaheadTrace.Step(trace.size() + 1, accepted, Math.min(verdict.matched(), accepted.length)));
        if (params.textNgrams()) {
            // the n-grams ending in the new tokens; added last, so they are offered first
            pool.addAll(sequence.tokens(Math.max(0, sequence.length() - accepted.length - params.ngram() + 1)));
        }
        if (!sequence.finished()) {
            output.commit(plan, step.commitIndices(verdict.candidate(), verdict.matched()));
        }
        return accepted;
    }
}
