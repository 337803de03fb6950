package dev.braid.decoding;

import dev.braid.kv.KvLease;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import dev.braid.model.Tokenizer;
import java.util.Arrays;

/**
 * One sequence of a {@link LaneTask} with its own speculative state. Each step it plans the
 * sequence's pending tokens plus whatever guesses its strategy adds, then accepts a run of tokens
 * that greedy (or sampled) autoregressive decoding would have produced, and commits their K/V.
 */
public abstract class Lane {

    protected final Sequence sequence;
    protected final KvLease kv;
    protected final Tokenizer tokenizer;
    protected final int contextLength;
    private int lastTokens;
    private int lastAccepted;
    private long drafts;
    private long draftTokens;
    private long acceptedDrafts;
    private int budget;
    /** Tokens beyond one that this step's chosen guesses are expected to add; 0 for a plain step. */
    private double expectedGain;

    protected Lane(Sequence sequence, KvLease kv, Tokenizer tokenizer, int contextLength) {
        this.sequence = sequence;
        this.kv = kv;
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
    }

    public Sequence sequence() {
        return sequence;
    }

    /** This step's plan; {@code room} says what the step can afford. */
    public abstract StepPlan plan(StepRoom room);

    /** Plans this step through {@link #plan(StepRoom)}, with no guesses expected until it chooses some. */
    final StepPlan planStep(StepRoom room) {
        expectedGain = 0;
        return plan(room);
    }

    /**
     * {@code price} as the lanes planned after this one see it: this lane's share of the batch is now
     * {@code plan} and the tokens it expects to accept, in place of what it fed and accepted last step.
     */
    final StepPrice plannedIn(StepPrice price, StepPlan plan) {
        return price.planned(lastTokens, lastAccepted, plan.logitCount(), expectedAccepted());
    }

    /** Tokens this lane's plan is expected to accept this step, guesses and the model's own token. */
    double expectedAccepted() {
        return 1 + expectedGain;
    }

    /**
     * Reads plan {@code plan} of the output, accepts tokens through {@link #acceptRun} and commits
     * the K/V of those that are now part of the sequence.
     *
     * @return the tokens accepted this step, in order
     */
    public abstract int[] consume(StepOutput output, int plan);

    /**
     * Guessed tokens worth feeding after the pending ones: the model adds one token of its own, and
     * the sequence stops at its length budget and the model's context, so guessing further is waste
     * (and positions past the context are refused).
     */
    protected int guessLimit() {
        return Math.max(0, sequence.tokensLeft() - 1);
    }

    /**
     * Accepts {@code tokens} one by one, so stop tokens, stop strings and the length budget cut the run
     * exactly where autoregressive decoding would have stopped.
     *
     * @return the tokens accepted before the sequence stopped
     */
    protected int[] acceptRun(int[] tokens) {
        for (int i = 0; i < tokens.length; i++) {
            if (!sequence.accept(tokens[i], tokenizer)) {
                return Arrays.copyOf(tokens, i + 1);
            }
        }
        return tokens;
    }

    /** Counts a step that fed {@code fed} guessed tokens (0: a plain step) of which {@code accepted} were kept. */
    protected final void drafted(int fed, int accepted) {
        budget = fed;
        if (fed > 0) {
            drafts++;
            draftTokens += fed;
            acceptedDrafts += accepted;
        }
    }

    /** What this lane's guesses did so far. */
    public Speculation speculation() {
        return new Speculation(drafts, draftTokens, acceptedDrafts, budget);
    }

    /** What this lane fed and accepted in its last step, for {@link #choose}. */
    void took(int tokens, int accepted) {
        lastTokens = tokens;
        lastAccepted = accepted;
    }

    /**
     * The guess option with the best throughput of the whole batch at this step's price (see
     * {@link StepPrice#best}); option 0 is the plain step. A probe chooses as if every guessing
     * option gained {@link ProbeSchedule#BONUS} more, but the lanes priced after this one see only
     * the gain expected of it.
     */
    protected int choose(StepRoom room, int base, int[] extra, double[] gain, boolean probe) {
        return choose(room, base, extra, gain, gain, probe);
    }

    /**
     * {@link #choose(StepRoom, int, int[], double[], boolean)} by {@code worth}, each option's gain
     * this step and what it leaves for the steps after it; the lanes priced after this one see only
     * {@code gain}, what it adds to this step.
     */
    protected int choose(StepRoom room, int base, int[] extra, double[] gain, double[] worth, boolean probe) {
        double[] priced = worth;
        if (probe) {
            priced = worth.clone();
            for (int i = 0; i < extra.length; i++) {
                if (extra[i] > 0) {
                    priced[i] += ProbeSchedule.BONUS;
                }
            }
        }
        int best = room.price().best(lastTokens, lastAccepted, base, sequence.table().length(), extra, priced);
        expectedGain = Math.max(0, gain[best]);
        return best;
    }

    /** The gain each option's guessed tokens ({@code extra}) beside {@code base} must be expected to add to be bought at this step's price. */
    protected double[] breakEven(StepRoom room, int base, int[] extra) {
        return room.price().breakEven(lastTokens, lastAccepted, base, sequence.table().length(), extra);
    }

    /** The guesses chosen this step will not be fed after all (they do not fit): a plain step. */
    protected final void plainAfterAll() {
        expectedGain = 0;
    }

    /** Whether {@code tokens} more positions fit in the pool's free blocks this step. */
    protected boolean fits(StepRoom room, int tokens) {
        return kv.blocksNeeded(sequence.table(), tokens) <= room.freeBlocks();
    }

    /** Greedy decoding: each position's token is the argmax, so guesses can be checked exactly. */
    protected boolean greedy() {
        return sequence.sampler().params().greedy();
    }
}
