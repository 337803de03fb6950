package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    static Stream<Arguments> calibrations() {
        return Stream.of(
                Arguments.of("a gain within noise is no reason to go parallel: only 128 ran a tenth faster",
                        new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                        new double[] {0.95, 1.9, 2.9, 3.9, 4.9, 5.9, 6.9, 7.0}, 128),
                Arguments.of("an isolated slow larger step does not keep the smaller ones on one thread"
                                + " (a memory-bound model's calibration: all but 64 tokens a fifth faster on two)",
                        new double[] {10, 20, 30, 40, 50, 60, 70, 80},
                        new double[] {7.8, 14.6, 23.7, 32.4, 42, 42.6, 79.1, 64}, 1),
                Arguments.of("a slower small step is not bought by the larger ones' gains",
                        new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                        new double[] {1.3, 1, 1.5, 2, 2.5, 3, 3.5, 4}, 2),
                Arguments.of("no step clearly faster in parallel keeps every step on one thread",
                        new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                        new double[] {1.2, 2.3, 3.2, 4.1, 5, 5.5, 6.5, 7.4}, Integer.MAX_VALUE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calibrations")
    void goesParallelFromTheSizeTheCalibrationFavours(String why, double[] oneThreadMs, double[] parallelMs,
                                                      int parallelFrom) {
        assertThat(StepThreads.choose(2, TOKENS, oneThreadMs, parallelMs).parallelFrom()).as(why)
                .isEqualTo(parallelFrom);
    }

    @Test
    void oneThreadForEveryStepRunsEvenTheLargestOnOne() {
        assertThat(StepThreads.one().threadsFor(1 << 20)).isEqualTo(1);
        assertThat(StepThreads.choose(2, TOKENS, new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                new double[] {1.2, 2.3, 3.2, 4.1, 5, 5.5, 6.5, 7.4}).threadsFor(1 << 20)).isEqualTo(1);
    }
}
