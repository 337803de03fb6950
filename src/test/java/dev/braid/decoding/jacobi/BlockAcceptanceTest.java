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
    void aBlockIsPricedByItsRefinedGuessesFirstAndItsColdOnesAfterThem() {
        BlockAcceptance acceptance = remembering(0.9, 0.1);
        // refined whole: 0.9 + 0.81 + 0.729 + 0.6561
        acceptance.refined(8);
        assertThat(acceptance.expectedGain(4)).isCloseTo(3.0951, within(1e-9));
        // cold whole: 0.1 + 0.01
        acceptance.refined(0);
        assertThat(acceptance.expectedGain(2)).isCloseTo(0.11, within(1e-9));
        // one refined guess, then a cold one: 0.9 + 0.9 * 0.1
        acceptance.refined(1);
        assertThat(acceptance.expectedGain(2)).isCloseTo(0.99, within(1e-9));
        assertThat(acceptance.expectedGain(0)).isZero();
    }

    @Test
    void aBlockIsWorthWhatItGainsNowAndWhatTheNextStepWouldBuyOfTheRefinedGuessesItLeaves() {
        BlockAcceptance acceptance = remembering(0.9, 0.1);
        // refined blocks of 1, 2 and 4 gain 0.9, 1.71 and 3.0951, and must gain 0.5, 1 and 2 to be bought
        double[] refinedWorth = acceptance.refinedWorth(new int[] {0, 1, 2, 4}, new double[] {0, 0.5, 1, 2});
        assertThat(refinedWorth).containsExactly(new double[] {0, 0.4, 0.71, 0.71, 1.0951}, within(1e-9));
        // a cold block of two: 0.11 now; both missed (0.9) leaves two refined guesses, worth 0.71 net;
        // the first right and the second missed (0.1 * 0.9) leaves one, worth 0.4
        acceptance.refined(0);
        assertThat(acceptance.worth(2, refinedWorth)).isCloseTo(0.11 + 0.9 * 0.71 + 0.09 * 0.4, within(1e-9));
        assertThat(acceptance.worth(0, refinedWorth)).isZero();
        // where no refined block would be bought, what a block leaves is worth nothing: a lane whose
        // guesses miss buys no cold block for refinements it would not feed
        double[] unpaid = acceptance.refinedWorth(new int[] {0, 1, 2, 4}, new double[] {0, 5, 5, 5});
        assertThat(unpaid).containsOnly(0.0);
        assertThat(acceptance.worth(2, unpaid)).isCloseTo(0.11, within(1e-9));
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
        // refined: position 0 moved halfway to a hit (the prior counts as one observation), and
        // position 1, never tried, reads as it: 0.75 + 0.75 * 0.75. On one curve the cold miss would
        // have taught position 1 a miss: 0.75 + 0.75 * 0.25
        lane.refined(8);
        assertThat(lane.expectedGain(2)).isCloseTo(1.3125, within(1e-9));
        // cold: position 0 moved halfway to a miss
        lane.refined(0);
        assertThat(lane.expectedGain(1)).isCloseTo(0.25, within(1e-9));
        // the next lane on the worker starts where this one left off
        BlockAcceptance next = new BlockAcceptance(memory, 8);
        next.refined(8);
        assertThat(next.expectedGain(2)).isCloseTo(1.3125, within(1e-9));
    }

    @Test
    void coldGuessesAreTriedOnlyBehindRefinedOnesThatWereRight() {
        BlockAcceptance acceptance = remembering(0.5, 0.5);
        acceptance.refined(3);
        // the second refined guess missed: the cold ones after it were never tried
        acceptance.observe(8, 1);
        acceptance.refined(0);
        // cold position 0 still at 0.5; refined position 0 moved a tenth of the way to a hit
        assertThat(acceptance.expectedGain(1)).isCloseTo(0.5, within(1e-9));
        assertThat(acceptance.anyRefined()).isFalse();
        acceptance.refined(8);
        assertThat(acceptance.expectedGain(1)).isCloseTo(0.55, within(1e-9));
    }
}
