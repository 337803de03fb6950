package dev.braid.decoding;

/**
 * When a lane whose guesses stopped paying tries them again: after a run of plain steps, one step
 * prices its guesses as if they were accepted a token more than they have been, so the acceptance
 * it measures can catch up with text that has become predictable. A probe that does not win the lane
 * back — or that would not pay even so, as beside a busy batch — doubles the wait before the next
 * one, so probes fade where guesses never pay; a step the price chose to guess resets it.
 */
public final class ProbeSchedule {

    /** Tokens a probe adds to what each guessing option is expected to gain, for its choice alone. */
    public static final double BONUS = 1;
    static final int FIRST = 16;
    static final int LONGEST = 256;

    private int interval = FIRST;
    private int plainRun;

    /** Whether this step should guess whatever the price says. */
    public boolean due() {
        return plainRun >= interval;
    }

    /** The step just planned: plain, guessing by the price's choice, or a probe (which may have stayed plain). */
    public void planned(boolean guessing, boolean probe) {
        if (probe) {
            plainRun = 0;
            interval = Math.min(LONGEST, interval * 2);
        } else if (guessing) {
            plainRun = 0;
            interval = FIRST;
        } else {
            plainRun++;
        }
    }
}
