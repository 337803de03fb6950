package dev.braid.decoding.jacobi;

import dev.braid.decoding.GuessMemory;
import dev.braid.decoding.Lane;
import dev.braid.decoding.ProbeSchedule;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StepRoom;
import dev.braid.model.Tokenizer;
import dev.braid.kv.KvLease;
import dev.braid.model.StepMask;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One sequence under Jacobi decoding. The guess holds the tokens expected at the positions after the
 * current one; a step feeds them causally behind the pending tokens, so prediction {@code i} is what
 * greedy decoding would emit if guesses {@code 0..i-1} were right. Guesses that equal the prediction
 * before them are therefore exact, and the first mismatch's prediction is exact too.
 */
final class JacobiLane extends Lane {

    /** Block sizes a step may feed, up to the request's cap: a ladder keeps the choice cheap. */
    private static final int[] LADDER = {0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};
    static final String PROBE_MEMORY = "jacobi-probes";

    private final JacobiParams params;
    private final SplittableRandom random;
    /** Null until the lane first prices a block. */
    private BlockAcceptance acceptance;
    /** Its own until the lane first prices a block, from then on the worker's (see {@link ProbeSchedule}). */
    private ProbeSchedule probes = new ProbeSchedule();
    private boolean probing;
    private boolean probedLast;
    private int[] guess;
    private int pendingCount;
    private int fed;

    JacobiLane(Sequence sequence, KvLease kv, Tokenizer tokenizer, int contextLength, JacobiParams params,
               long seed) {
        super(sequence, kv, tokenizer, contextLength);
        this.params = params;
        this.random = new SplittableRandom(seed);
        this.guess = refill(new int[0]);
    }

    @Override
    public StepPlan plan(StepRoom room) {
        int[] pending = sequence.pending();
        pendingCount = pending.length;
        // sampling keeps plain autoregressive steps: greedy guesses say nothing about a sampled token
        fed = greedy() ? budget(room) : 0;
        if (fed > 0 && !fits(room, pendingCount + fed)) {
            fed = 0;
            plainAfterAll();
        }
        if (!(probedLast && fed > 0)) {
            probes.planned(fed > 0, probing);
        }
        probedLast = probing && fed > 0;
        int[] tokens = Arrays.copyOf(pending, pendingCount + fed);
        System.arraycopy(guess, 0, tokens, pendingCount, fed);
        int[] positions = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            positions[i] = sequence.table().length() + i;
        }
        return new StepPlan(sequence.table(), tokens, positions, StepMask.CAUSAL, pendingCount - 1);
    }

    /** The block this step feeds: the one the step's price says pays best, the whole cap now and then. */
    private int budget(StepRoom room) {
        if (acceptance == null) {
            // a new sequence starts from how this worker's Jacobi guesses have been doing
            GuessMemory memory = room.price().memory();
            acceptance = new BlockAcceptance(memory, params.blockSize());
            probes = new ProbeSchedule(memory, PROBE_MEMORY, ProbeSchedule.FIRST);
        }
        int cap = Math.min(params.blockSize(), guessLimit());
        probing = false;
        if (cap == 0) {
            return 0;
        }
        probing = probes.due();
        // a probe's guesses are stale; the step after it, fed the probe's refinements, says what
        // guessing is worth now. It feeds as many as the probe did: past them a block holds only
        // filler, which costs a step's compute and says nothing of the text
        if (probedLast && acceptance.anyRefined()) {
            return Math.min(cap, fed);
        }
        int options = 0;
        while (options < LADDER.length && LADDER[options] <= cap) {
            options++;
        }
        int[] extra = new int[options + (LADDER[options - 1] == cap ? 0 : 1)];
        for (int i = 0; i < extra.length; i++) {
            extra[i] = i < options ? LADDER[i] : cap;
        }
        // after a guessing step a lane has one pending token, the model's own
        double[] refinedWorth = acceptance.refinedWorth(extra, breakEven(room, 1, extra));
        double[] gain = new double[extra.length];
        double[] worth = new double[extra.length];
        for (int i = 0; i < extra.length; i++) {
            gain[i] = acceptance.expectedGain(extra[i]);
            worth[i] = acceptance.worth(extra[i], refinedWorth);
        }
        return extra[choose(room, pendingCount, extra, gain, worth, probing)];
    }

    @Override
    public int[] consume(StepOutput output, int plan) {
        if (fed == 0) {
            int token = sequence.sampler().next(output, plan, 0);
            int[] accepted = acceptRun(new int[] {token});
            if (!sequence.finished()) {
                output.commitPrefix(plan, pendingCount);
                // the sequence moved one position: so does the guess, to stay aligned for the next probe
                guess = refill(Arrays.copyOfRange(guess, Math.min(1, guess.length), guess.length));
            }
            if (acceptance != null) {
                acceptance.refined(0); // the guesses are stale now
            }
            drafted(0, 0);
            return accepted;
        }
        int[] predicted = new int[fed + 1];
        for (int i = 0; i <= fed; i++) {
            predicted[i] = output.argmax(plan, i);
        }
        int matched = 0;
        while (matched < fed && guess[matched] == predicted[matched]) {
            matched++;
        }
        if (matched > 0) {
            probes.paid();
        }
        acceptance.observe(fed, matched);
        int[] run = Arrays.copyOf(guess, matched + 1);
        run[matched] = predicted[matched];
        int[] accepted = acceptRun(run);
        // guesses past a stop that ended the sequence are not part of the answer
        drafted(fed, Math.min(matched, accepted.length));
        if (!sequence.finished()) {
            output.commitPrefix(plan, pendingCount + matched);
            int[] next = carried(guess, predicted, matched, fed);
            acceptance.refined(next.length);
            guess = refill(next);
        }
        return accepted;
    }

    /**
     * The guesses a step leaves for the next: Jacobi iteration carries the predictions past the
     * accepted run, refined guesses though made from a wrong prefix. The first of them was predicted
     * right after the guess that proved wrong, and there the old guess is often the better one: a
     * consistency-trained model tends to answer a wrong token by predicting again the token that
     * belonged in its place, or to predict after the old guess the very token that followed it
     * before, a tail that held together once the wrong token is replaced (README, "Jacobi's carried
     * guesses"). Either sign keeps the old guess at that position. Greedy verification checks every
     * guess, so the choice moves only the speed.
     *
     * @param guess     this step's guesses, of which the first {@code fed} were fed
     * @param predicted the model's token at each fed position and one past them ({@code fed + 1})
     * @param matched   the leading guesses that equal the predictions
     */
    static int[] carried(int[] guess, int[] predicted, int matched, int fed) {
        int[] next = Arrays.copyOfRange(predicted, matched + 1, fed + 1);
        int first = matched + 1;
        if (first < fed && guess[first] != predicted[first]) {
            boolean repeated = predicted[first] == predicted[matched];
            boolean tailHeld = first + 1 < fed && predicted[first + 1] == guess[first + 1];
            if (repeated || tailHeld) {
                next[0] = guess[first];
            }
        }
        return next;
    }

    /** Tops the guess up to the block size with tokens drawn from the text so far. */
    private int[] refill(int[] kept) {
        int[] text = sequence.tokens(0);
        int[] full = Arrays.copyOf(kept, Math.max(params.blockSize(), kept.length));
        for (int i = kept.length; i < full.length; i++) {
            full[i] = text[random.nextInt(text.length)];
        }
        return full;
    }
}
