package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepThreadsTest {

    private static final int[] TOKENS = {1, 2, 4, 8, 16, 32, 64, 128};

    @Test
    void stepsGoParallelFromWhereTheLargerStepsGainedMost() {
        StepThreads threads = StepThreads.choose(2, TOKENS,
                new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                new double[] {0.9, 3, 4, 5, 4.4, 5, 6, 7});
        assertThat(threads.parallelFrom()).isEqualTo(16);
        assertThat(threads.threadsFor(1)).isEqualTo(1);
        assertThat(threads.threadsFor(15)).isEqualTo(1);
        assertThat(threads.threadsFor(16)).isEqualTo(2);
        assertThat(threads.threadsFor(500)).isEqualTo(2);
    }

    @Test
    void aGainWithinNoiseIsNoReasonToGoParallel() {
        StepThreads threads = StepThreads.choose(2, TOKENS,
                new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                new double[] {0.95, 1.9, 2.9, 3.9, 4.9, 5.9, 6.9, 7.0});
        assertThat(threads.parallelFrom()).as("only 128 tokens ran a tenth faster").isEqualTo(128);
    }

    @Test
    void anIsolatedSlowLargerStepDoesNotKeepTheSmallerOnesOnOneThread() {
        // a memory-bound model's calibration: every step but the 64-token one ran a fifth faster on two
        StepThreads threads = StepThreads.choose(2, TOKENS,
                new double[] {10, 20, 30, 40, 50, 60, 70, 80},
                new double[] {7.8, 14.6, 23.7, 32.4, 42, 42.6, 79.1, 64});
        assertThat(threads.parallelFrom()).isEqualTo(1);
    }

    @Test
    void aSlowerSmallStepIsNotBoughtByLargerOnesGains() {
        StepThreads threads = StepThreads.choose(2, TOKENS,
                new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                new double[] {1.3, 1, 1.5, 2, 2.5, 3, 3.5, 4});
        assertThat(threads.parallelFrom()).isEqualTo(2);
    }

    @Test
    void noStepClearlyFasterInParallelKeepsEveryStepOnOneThread() {
        StepThreads threads = StepThreads.choose(2, TOKENS,
                new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                new double[] {1.2, 2.3, 3.2, 4.1, 5, 5.5, 6.5, 7.4});
        assertThat(threads.parallelFrom()).isEqualTo(Integer.MAX_VALUE);
        assertThat(threads.threadsFor(1 << 20)).isEqualTo(1);
        assertThat(StepThreads.one().threadsFor(1 << 20)).isEqualTo(1);
    }
}
