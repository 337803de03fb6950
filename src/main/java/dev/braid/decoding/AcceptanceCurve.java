package dev.braid.decoding;

import java.util.Arrays;

/**
 * How often a lane's guesses are accepted, position by position: {@code p[i]} estimates the chance
 * that guess {@code i} is right given that the guesses before it were, as a decaying average over
 * the steps that tried it (a position none tried reads as the one before it). The expected tokens a
 * block of {@code b} guesses adds are
 * {@code sum over i < b of p[0]·…·p[i]}. A curve that starts from the even-chance prior counts the
 * prior as one observation, so its first observations move it as far as their average with the
 * prior: a worker's first lanes, whose guesses missed on a model not trained for them, otherwise
 * kept buying blocks for most of an answer while a tenth a step took the prior down. Positions a
 * curve recalls from what earlier sequences learned move by a tenth a step from the start.
 */
public final class AcceptanceCurve {

    private static final double PRIOR = 0.5;
    /** Weight of the newest observation: about the last ten tries of a position count. */
    private static final double RATE = 0.1;

    /** Observations an estimate recalled from earlier sequences counts as: from then on each moves it by {@link #RATE}. */
    private static final int LEARNED = (int) Math.ceil(1 / RATE);

    private final double[] accept;
    /** Observations per position so far, the starting estimate's included. */
    private final int[] observed;

    /** An even chance at each of {@code positions}, nothing observed yet. */
    public AcceptanceCurve(int positions) {
        accept = prior(positions);
        observed = new int[accept.length];
    }

    /**
     * A curve of {@code positions} that starts from what earlier sequences taught {@code memory} under
     * {@code key}: the positions it knows count as learned, the rest start from the prior.
     */
    public static AcceptanceCurve recall(GuessMemory memory, String key, int positions) {
        AcceptanceCurve curve = new AcceptanceCurve(positions);
        double[] recalled = memory.recall(key, curve.accept);
        System.arraycopy(recalled, 0, curve.accept, 0, positions);
        Arrays.fill(curve.observed, 0, Math.min(positions, memory.knownPositions(key)), LEARNED);
        curve.inheritUntried();
        return curve;
    }

    /** Expected accepted guesses when feeding {@code guesses} of them. */
    public double expected(int guesses) {
        double total = 0;
        double run = 1;
        for (int i = 0; i < Math.min(guesses, accept.length); i++) {
            run *= accept[i];
            total += run;
        }
        return total;
    }

    /** A step fed {@code fed} guesses and the first {@code matched} were right. */
    public void observe(int fed, int matched) {
        for (int i = 0; i < Math.min(fed, accept.length) && i <= matched; i++) {
            double hit = i < matched ? 1 : 0;
            accept[i] += GuessMemory.weightOf(++observed[i], RATE) * (hit - accept[i]);
        }
        inheritUntried();
    }

    /**
     * A position never tried reads as the one before it. Left at the prior, positions past the
     * blocks a lane fed stayed at an even chance: a lane whose first guesses were right nine times in
     * ten saw little gain in a deeper block and never fed one to learn otherwise, and a lane whose
     * first guess missed expected its untried later guesses to be right half the time.
     */
    private void inheritUntried() {
        for (int i = 1; i < accept.length; i++) {
            if (observed[i] == 0) {
                accept[i] = accept[i - 1];
            }
        }
    }

    /** An even chance at every one of {@code positions}. */
    public static double[] prior(int positions) {
        double[] prior = new double[Math.max(0, positions)];
        Arrays.fill(prior, PRIOR);
        return prior;
    }

    /** Adds this curve's estimates to what {@code memory} keeps under {@code key}. */
    public void rememberIn(GuessMemory memory, String key) {
        memory.remember(key, accept);
    }

    public double probability(int position) {
        return accept[position];
    }
}
