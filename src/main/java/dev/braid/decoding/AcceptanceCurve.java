package dev.braid.decoding;

/**
 * How often a lane's guesses are accepted, position by position: {@code p[i]} estimates the chance
 * that guess {@code i} is right given that the guesses before it were, as a decaying average over
 * the steps that tried it. The expected tokens a block of {@code b} guesses adds are
 * {@code sum over i < b of p[0]·…·p[i]}. Starts at an even chance and learns slowly, so a lane
 * keeps guessing through the first steps of Jacobi iteration, whose random guesses miss until the
 * iteration converges.
 */
public final class AcceptanceCurve {

    private static final double PRIOR = 0.5;
    /** Weight of the newest observation: about the last ten tries of a position count. */
    private static final double RATE = 0.1;

    private final double[] accept;

    public AcceptanceCurve(int positions) {
        accept = new double[Math.max(0, positions)];
        java.util.Arrays.fill(accept, PRIOR);
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
            accept[i] += RATE * (hit - accept[i]);
        }
    }

    /** Starts from {@code estimate} (per position), e.g. what earlier sequences learned. */
    public AcceptanceCurve(double[] estimate) {
        accept = estimate.clone();
    }

    /** An even chance at every one of {@code positions}. */
    public static double[] prior(int positions) {
        double[] prior = new double[Math.max(0, positions)];
        java.util.Arrays.fill(prior, PRIOR);
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
