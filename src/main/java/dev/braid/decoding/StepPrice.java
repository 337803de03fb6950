package dev.braid.decoding;

/**
 * The price of guessed tokens in the coming step: the device's step cost and the batch the step
 * carries. A lane chooses its guess budget to maximise the accepted tokens per millisecond of the
 * whole batch: adding {@code t} tokens that are expected to yield {@code g} more accepted tokens pays
 * when {@code (othersAccepted + 1 + g) / cost(othersTokens + base + t)} beats the same without them
 * (plus, beside other sequences, the cost of a query length of its own, and either step's cost of
 * following the last one on another copy of the weights), and its {@code g} tokens come cheaper per
 * millisecond than the plain step's by {@link #MARGIN}.
 * On a CPU, where every token costs compute, guesses must be accepted often to pay; on a device
 * whose step cost is flat up to many tokens, nearly any acceptance pays.
 *
 * <p>Lanes decide one after another ({@link #planned}): each is priced beside what the lanes before
 * it planned for this step and what the rest did in their last step. Deciding together from the same
 * last step, every lane would buy the guesses that pay for one lane alone, and on a curve that
 * steepens as tokens add up (a CPU past a few dozen tokens) the step they make together costs more
 * than their guesses bring.
 *
 * @param cost     the device's step cost
 * @param tokens   decoding query tokens of the batch, all lanes together: the prompt tokens a step
 *                 prefills are left out, since the step after it does not carry them again
 * @param accepted tokens the batch adds to sequences, all lanes together (expected, for lanes
 *                 already planned)
 * @param memory   what the worker's earlier sequences learned of their guesses
 * @param lastStepTokens query tokens of the step before, prompt tokens included: whether the coming
 *                 step's products use the same copy of the weights ({@link StepCost#switchMillis})
 */
public record StepPrice(StepCost cost, int tokens, double accepted, GuessMemory memory, int lastStepTokens) {

    /**
     * How much cheaper than the batch's own tokens a guessing option's expected tokens must come (its
     * expected gain over the milliseconds it adds, against the plain step's tokens per millisecond)
     * before it is bought. The step cost and a lane's acceptance are estimates, and a guess bought at
     * the break-even point loses whenever either is off: beside 8 clients on this project's CPU,
     * braid-cllm's Jacobi lanes bought blocks whose accepted tokens came 1.19 times as cheap as the
     * batch's by the estimates, and the batch ran at 0.91–0.95 times the speed of plain steps.
     */
    static final double MARGIN = 0.25;

    /** No measurement yet: guesses are priced as free, so a strategy starts at its full shape. */
    public static final StepPrice FREE = new StepPrice(tokens -> 1.0, 0, 0);

    /** A price with no memory of earlier sequences. */
    public StepPrice(StepCost cost, int tokens, double accepted) {
        this(cost, tokens, accepted, GuessMemory.none());
    }

    /** A price after a step of {@code tokens} query tokens in all. */
    public StepPrice(StepCost cost, int tokens, double accepted, GuessMemory memory) {
        this(cost, tokens, accepted, memory, tokens);
    }

    /**
     * This price once a lane (or a task's lanes) has planned the coming step: what it fed and accepted
     * in the previous step ({@code lastTokens}, {@code lastAccepted}) gives way to its plan's decoding
     * tokens and the tokens it expects to accept with them.
     */
    public StepPrice planned(int lastTokens, double lastAccepted, int plannedTokens, double expectedAccepted) {
        return new StepPrice(cost, Math.max(0, tokens - lastTokens) + plannedTokens,
                Math.max(0, accepted - lastAccepted) + expectedAccepted, memory, lastStepTokens);
    }

    /**
     * The option with the best batch throughput; option 0 should be the plain step (no tokens, no gain).
     *
     * @param ownTokens   this lane's query tokens in the previous step (0 if it did not take part)
     * @param ownAccepted tokens this lane accepted in the previous step
     * @param base        tokens this lane feeds in any case (its pending ones)
     * @param context     tokens of cached context this lane's query tokens attend over
     * @param extra       guessed tokens each option adds
     * @param gain        tokens each option is expected to add beyond the one a plain step makes
     * @return the index of the chosen option
     */
    public int best(int ownTokens, double ownAccepted, int base, int context, int[] extra, double[] gain) {
        Plain plain = plain(ownTokens, ownAccepted, base);
        int best = 0;
        double bestRate = plain.rate();
        for (int i = 0; i < extra.length; i++) {
            if (extra[i] == 0) {
                continue;
            }
            double millis = plain.millisWith(extra[i], context);
            double added = millis - plain.millis();
            boolean cheapEnough = added <= 0 ? gain[i] > 0 : gain[i] / added >= (1 + MARGIN) * plain.rate();
            double rate = (plain.othersAccepted() + 1 + gain[i]) / millis;
            // a tie goes to the cheaper option: fewer tokens hold less KV and leave the device to others
            if (cheapEnough && rate > bestRate * (1 + 1e-9)) {
                bestRate = rate;
                best = i;
            }
        }
        return best;
    }

    /**
     * The gain each option's guessed tokens ({@code extra}) must be expected to add before {@link
     * #best} buys them: the milliseconds they add, at the plain step's tokens per millisecond and the
     * {@link #MARGIN}. Other parameters as {@link #best}'s.
     */
    public double[] breakEven(int ownTokens, double ownAccepted, int base, int context, int[] extra) {
        Plain plain = plain(ownTokens, ownAccepted, base);
        double[] gain = new double[extra.length];
        for (int i = 0; i < extra.length; i++) {
            double added = plain.millisWith(extra[i], context) - plain.millis();
            gain[i] = extra[i] == 0 ? 0 : Math.max(0, added) * (1 + MARGIN) * plain.rate();
        }
        return gain;
    }

    private Plain plain(int ownTokens, double ownAccepted, int base) {
        int othersTokens = Math.max(0, tokens - ownTokens);
        int plainTokens = othersTokens + base;
        double millis = Math.max(1e-9, cost.millis(plainTokens) + cost.switchMillis(lastStepTokens, plainTokens));
        // beside other sequences, a guessing one is most likely alone at its query length
        double group = othersTokens > 0 ? cost.groupMillis() : 0;
        return new Plain(this, Math.max(0, accepted - ownAccepted), plainTokens, millis, group);
    }

    /**
     * The coming step with a lane's plain plan in it.
     *
     * @param tokens the step's query tokens
     * @param group  what a query length of the lane's own would add beside the others
     */
    private record Plain(StepPrice price, double othersAccepted, int tokens, double millis, double group) {

        /** Tokens per millisecond of the batch. */
        double rate() {
            return (othersAccepted + 1) / millis;
        }

        /** The step's milliseconds with {@code extra} guessed tokens attending over {@code context} added. */
        double millisWith(int extra, int context) {
            StepCost cost = price.cost();
            int stepTokens = tokens + extra;
            return Math.max(1e-9, cost.millis(stepTokens) + cost.switchMillis(price.lastStepTokens(), stepTokens)
                    + group + cost.contextMillis() * context * extra);
        }
    }
}
