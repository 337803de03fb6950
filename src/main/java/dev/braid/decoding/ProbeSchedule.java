package dev.braid.decoding;

/**
 * When a lane whose guesses stopped paying tries them again: after a run of plain steps, one step
 * prices its guesses as if they were accepted a token more than they have been, so the acceptance
 * it measures can catch up with text that has become predictable. A probe that does not win the lane
 * back — or that would not pay even so, as beside a busy batch — doubles the wait before the next
 * one, so probes fade where guesses never pay; a guess that is accepted resets it. A guess the price
 * chose that missed does not: such guesses ride on steps where they cost nearly nothing (beside a
 * prompt's prefill), and resetting on them kept a lane whose guesses never paid probing at the
 * first interval.
 *
 * <p>The wait is kept in the worker's {@link GuessMemory} under the strategy's key, and a new lane
 * starts from the wait the lanes before it reached: where every request started at the first
 * interval, a model whose guesses never pay probed a few times in every answer, and on a CPU a probe
 * that feeds a lookahead window costs several plain steps. Started from half of it, every lane made
 * the probe the one before it had just found not to pay, and the wait never grew past twice the
 * answers' length: one wasted probe a request for good. A new request's text gets its chance
 * without a probe: its first step prefills the prompt, beside which a guess costs next to nothing.
 */
public final class ProbeSchedule {

    /** Tokens a probe adds to what each guessing option is expected to gain, for its choice alone. */
    public static final double BONUS = 1;
    public static final int FIRST = 16;
    static final int LONGEST = 256;
    private static final double[] UNKNOWN = {FIRST};

    private final GuessMemory memory;
    private final String key;
    /** Plain steps after which this schedule's first probe is due whatever the remembered wait. */
    private final int firstWithin;
    private boolean probed;
    private int interval;
    private int plainRun;

    /** A schedule of its own, from the first interval. */
    public ProbeSchedule() {
        this(GuessMemory.none(), "probes");
    }

    /** A schedule that starts from, and keeps, the wait remembered under {@code key}. */
    public ProbeSchedule(GuessMemory memory, String key) {
        this(memory, key, Integer.MAX_VALUE);
    }

    /**
     * A schedule that keeps the wait remembered under {@code key} but makes its own first probe after
     * at most {@code firstWithin} plain steps: for a strategy whose probe costs a fraction of a step,
     * a text unlike the ones that made the wait long gets its chance within the answer. Jacobi on
     * braid-cllm, after explanations had taught the worker that a first refined guess is rarely right
     * and had grown the wait to its longest, ran every list answer on plain steps.
     */
    public ProbeSchedule(GuessMemory memory, String key, int firstWithin) {
        this.memory = memory;
        this.key = key;
        this.firstWithin = firstWithin;
        this.interval = Math.max(FIRST, (int) memory.recall(key, UNKNOWN)[0]);
    }

    /** Whether this step should guess whatever the price says. */
    public boolean due() {
        return plainRun >= (probed ? interval : Math.min(interval, firstWithin));
    }

    /** The step just planned: plain, guessing by the price's choice, or a probe (which may have stayed plain). */
    public void planned(boolean guessing, boolean probe) {
        if (probe) {
            probed = true;
            plainRun = 0;
            nextProbeAfter(Math.min(LONGEST, interval * 2));
        } else if (guessing) {
            plainRun = 0;
        } else {
            plainRun++;
        }
    }

    /** A step's guesses were accepted: guessing pays again, and the next probe comes soon. */
    public void paid() {
        plainRun = 0;
        nextProbeAfter(FIRST);
    }

    private void nextProbeAfter(int steps) {
        interval = steps;
        memory.keep(key, new double[] {steps});
    }
}
