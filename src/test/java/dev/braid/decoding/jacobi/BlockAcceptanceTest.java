package dev.braid.decoding.jacobi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.braid.decoding.GuessMemory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BlockAcceptanceTest {

    private static BlockAcceptance remembering(double refined, double cold) {
        GuessMemory memory = new GuessMemory();
        double[] refinedCurve = new double[8];
        double[] coldCurve = new double[8];
        Arrays.fill(refinedCurve, refined);
        Arrays.fill(coldCurve, cold);
        memory.remember(BlockAcceptance.MEMORY, refinedCurve);
        memory.remember(BlockAcceptance.COLD_MEMORY, coldCurve);
        return new BlockAcceptance(memory, 8);
    }

    @Test
    void aBlockIsPricedByWhatItAcceptsAndHalfOfWhatItLeavesRefined() {
        BlockAcceptance acceptance = remembering(0.9, 0.1);
        // refined whole: 0.9 + 0.81 + 0.729 + 0.6561 now; exactly m right (0.1, 0.09, 0.081, 0.0729)
        // leaves 4 - m refined guesses, expected to accept 3.0951, 2.439, 1.71, 0.9 next step
        acceptance.refined(8);
        assertThat(acceptance.expectedGain(4)).isCloseTo(3.0951 + 0.73314 / 2, within(1e-9));
        // cold whole: 0.1 + 0.01 now; 0.9 of the time it leaves 2 refined guesses, 0.09 of it 1
        acceptance.refined(0);
        assertThat(acceptance.expectedGain(2)).isCloseTo(0.11 + (0.9 * 1.71 + 0.09 * 0.9) / 2, within(1e-9));
        // one refined guess, then a cold one: 0.9 + 0.09 now; 0.1 * 1.71 + 0.81 * 0.9 next
        acceptance.refined(1);
        assertThat(acceptance.expectedGain(2)).isCloseTo(0.99 + (0.171 + 0.729) / 2, within(1e-9));
        assertThat(acceptance.expectedGain(0)).isZero();
    }

    /**
     * The pathology this split cures: a lane that fed one refined guess and the cold ones behind it
     * learned, on one curve, that a second guess misses, and so never fed a block deep enough to
     * have a second refined guess.
     */
    @Test
    void aColdGuessThatMissesTeachesTheColdCurveAloneAndTheWorkerRemembersBoth() {
        GuessMemory memory = new GuessMemory();
        BlockAcceptance lane = new BlockAcceptance(memory, 8);
        lane.refined(1);
        // the refined guess was right, the first cold one behind it wrong
        lane.observe(8, 1);
        // refined: position 0 moved halfway to a hit (the prior counts as one observation), position 1
        // kept its even prior, 0.75 and 0.5: 1.125 now, and 0.25 * 1.125 + 0.375 * 0.75 left refined.
        // One curve would have learned 0.25 at position 1 from the cold miss, and priced this at 1.27
        lane.refined(8);
        assertThat(lane.expectedGain(2)).isCloseTo(1.125 + 0.5625 / 2, within(1e-9));
        // cold: position 0 moved halfway to a miss; a cold block of one: 0.25 now, 0.75 * 0.75 next
        lane.refined(0);
        assertThat(lane.expectedGain(1)).isCloseTo(0.25 + 0.5625 / 2, within(1e-9));
        // the next lane on the worker starts where this one left off
        BlockAcceptance next = new BlockAcceptance(memory, 8);
        next.refined(8);
        assertThat(next.expectedGain(2)).isCloseTo(1.40625, within(1e-9));
    }

    @Test
    void coldGuessesAreTriedOnlyBehindRefinedOnesThatWereRight() {
        BlockAcceptance acceptance = remembering(0.5, 0.5);
        acceptance.refined(3);
        // the second refined guess missed: the cold ones after it were never tried
        acceptance.observe(8, 1);
        acceptance.refined(0);
        // cold position 0 still 0.5; refined position 0 moved a tenth of the way to a hit, 0.55:
        // 0.5 now, and half the time one refined guess that 0.55 says is right
        assertThat(acceptance.expectedGain(1)).isCloseTo(0.5 + 0.5 * 0.55 / 2, within(1e-9));
        assertThat(acceptance.anyRefined()).isFalse();
    }
}
