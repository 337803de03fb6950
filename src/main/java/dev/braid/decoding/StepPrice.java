package dev.braid.decoding;

/**
 * The price of guessed tokens in the coming step: the device's step cost and what the previous step
 * carried and produced. A lane chooses its guess budget to maximise the accepted tokens per
 * millisecond of the whole batch, taking the other lanes' share as it was last step: adding
 * {@code t} tokens that are expected to yield {@code g} more accepted tokens pays when
 * {@code (othersAccepted + 1 + g) / cost(othersTokens + base + t)} beats the same without them
 * (plus, beside other sequences, the cost of a query length of its own).
 * On a CPU, where every token costs compute, guesses must be accepted often to pay; on a device
 * whose step cost is flat up to many tokens, nearly any acceptance pays.
 *
 * @param cost     the device's step cost
 * @param tokens   query tokens of the previous step, all lanes together
 * @param accepted tokens the previous step added to sequences, all lanes together
 * @param memory   what the worker's earlier sequences learned of their guesses
 */
public record StepPrice(StepCost cost, int tokens, int accepted, GuessMemory memory) {

    /** No measurement yet: guesses are priced as free, so a strategy starts at its full shape. */
    public static final StepPrice FREE = new StepPrice(tokens -> 1.0, 0, 0);

    /** A price with no memory of earlier sequences. */
    public StepPrice(StepCost cost, int tokens, int accepted) {
        this(cost, tokens, accepted, GuessMemory.none());
    }

    /**
     * The option with the best batch throughput; option 0 should be the plain step (no tokens, no gain).
     *
     * @param ownTokens   this lane's query tokens in the previous step (0 if it did not take part)
     * @param ownAccepted tokens this lane accepted in the previous step
     * @param base        tokens this lane feeds in any case (its pending ones)
     * @param extra       guessed tokens each option adds
     * @param gain        tokens each option is expected to add beyond the one a plain step makes
     * @return the index of the chosen option
     */
    public int best(int ownTokens, int ownAccepted, int base, int[] extra, double[] gain) {
        int othersTokens = Math.max(0, tokens - ownTokens);
        double othersAccepted = Math.max(0, accepted - ownAccepted);
        int best = 0;
        double bestRate = -1;
        for (int i = 0; i < extra.length; i++) {
            // beside other sequences, a guessing one is most likely alone at its query length
            double group = extra[i] > 0 && othersTokens > 0 ? cost.groupMillis() : 0;
            double rate = (othersAccepted + 1 + gain[i])
                    / Math.max(1e-9, cost.millis(othersTokens + base + extra[i]) + group);
            // a tie goes to the cheaper option: fewer tokens hold less KV and leave the device to others
            if (rate > bestRate * (1 + 1e-9)) {
                bestRate = rate;
                best = i;
            }
        }
        return best;
    }
}
