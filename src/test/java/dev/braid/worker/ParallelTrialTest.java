package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** Trials in traffic of steps the calibration put in parallel: windows on one thread against parallel windows. */
class ParallelTrialTest {

    private static final int CYCLE = ParallelTrial.BETWEEN + 2 * ParallelTrial.WINDOW;

    /**
     * Runs steps as a worker would until the verdict: a step of {@code tokens.apply(onOneThread)}
     * tokens takes {@code parallelMs} or {@code oneThreadMs} per token, and the calibration says one
     * millisecond per token on one thread.
     */
    private static ParallelTrial.Verdict run(ParallelTrial trial, IntUnaryOperator tokens, double parallelMs,
                                             double oneThreadMs) {
        ParallelTrial.Verdict verdict = ParallelTrial.Verdict.UNDECIDED;
        for (int step = 0; step < 10 * CYCLE * ParallelTrial.PAIRS && verdict == ParallelTrial.Verdict.UNDECIDED; step++) {
            boolean onOne = trial.trialNow();
            int n = tokens.applyAsInt(onOne ? 1 : 0);
            verdict = trial.record(n, n * (onOne ? oneThreadMs : parallelMs), n);
        }
        return verdict;
    }

    @Test
    void stepsThatRunFasterOnOneThreadInTrafficGoBackToOne() {
        ParallelTrial trial = new ParallelTrial();
        // a 2-core host serving 32 clients: steps of 32 one-token sequences took 13 ms in parallel, 10.6 on one thread
        assertThat(run(trial, onOne -> 32, 13.0 / 32, 10.6 / 32)).isEqualTo(ParallelTrial.Verdict.ONE_THREAD_FASTER);
        assertThat(trial.largestTried()).isEqualTo(32);
        assertThat(trial.medianRatio()).isCloseTo(10.6 / 13.0, within(1e-9));
    }

    @Test
    void stepsFasterInParallelStayThereAndTheTrialsStop() {
        ParallelTrial trial = new ParallelTrial();
        // a memory-bound model's 8-token steps: 20 ms in parallel, 26 on one thread
        assertThat(run(trial, onOne -> 8, 20.0 / 8, 26.0 / 8)).isEqualTo(ParallelTrial.Verdict.PARALLEL_FASTER);
        for (int step = 0; step < 2 * CYCLE; step++) {
            assertThat(trial.trialNow()).as("no more trials once decided").isFalse();
            trial.record(8, 20.0, 8);
        }
    }

    @Test
    void windowsOfOtherStepSizesCompareByWhatTheCalibrationSaysTheyCost() {
        ParallelTrial trial = new ParallelTrial();
        // parallel windows of 4-token steps, trial windows of 8: per calibrated millisecond the trials took 0.9 as long
        assertThat(run(trial, onOne -> onOne == 1 ? 8 : 4, 1.25, 1.125)).isEqualTo(ParallelTrial.Verdict.ONE_THREAD_FASTER);
        assertThat(trial.medianRatio()).isCloseTo(0.9, within(1e-9));
        assertThat(trial.largestTried()).isEqualTo(8);
    }

    @Test
    void aQuarterOfTheStepsThatWouldRunInParallelAreTrials() {
        ParallelTrial trial = new ParallelTrial();
        int trials = 0;
        for (int step = 0; step < CYCLE; step++) {
            boolean onOne = trial.trialNow();
            trials += onOne ? 1 : 0;
            trial.record(16, 5.0, 4.0);
        }
        assertThat(trials).isEqualTo(ParallelTrial.WINDOW).isEqualTo(CYCLE / 4);
    }
}
