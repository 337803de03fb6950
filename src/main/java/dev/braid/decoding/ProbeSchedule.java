package dev.braid.decoding;

/**
 * When a lane whose guesses stopped paying tries them again: after a run of plain steps, one step
 * guesses regardless, so the acceptance it measures can catch up with text that has become
 * predictable. A probe that does not win the lane back doubles the wait before the next one, so on
 * text guesses never fit the probes' cost fades; a step the price chose to guess resets it.
 */
public final class ProbeSchedule {

    static final int FIRST = 16;
    static final int LONGEST = 256;

    private int interval = FIRST;
    private int plainRun;

    /** Whether this step should guess whatever the price says. */
    public boolean due() {
        return plainRun >= interval;
    }

    /** The step just planned: plain, guessing by the price's choice, or a probe. */
    public void planned(boolean guessing, boolean probe) {
        if (!guessing) {
            plainRun++;
            return;
        }
        plainRun = 0;
        interval = probe ? Math.min(LONGEST, interval * 2) : FIRST;
    }
}
