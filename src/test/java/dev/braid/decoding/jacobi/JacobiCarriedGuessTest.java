package dev.braid.decoding.jacobi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JacobiCarriedGuessTest {

    @Test
    void aPredictionRepeatingTheTokenJustFixedGivesWayToTheOldGuess() {
        // braid-cllm on a list question: the block was right but for its first token, and the model
        // answered the wrong one by predicting 883 again where 53 already stood
        int[] guess = {902, 53, 610, 773, 1897, 310, 264, 474};
        int[] predicted = {883, 883, 610, 773, 1897, 310, 264, 474, 708};
        assertThat(JacobiLane.carried(guess, predicted, 0, 8)).containsExactly(53, 610, 773, 1897, 310, 264, 474, 708);
        // the same past an accepted run
        assertThat(JacobiLane.carried(new int[] {1, 2, 3, 4, 5}, new int[] {1, 7, 7, 4, 5, 6}, 1, 5))
                .containsExactly(3, 4, 5, 6);
    }

    @Test
    void anOldGuessWhoseSuccessorTheModelPredictsAgainIsKept() {
        assertThat(JacobiLane.carried(new int[] {5, 6, 7, 8}, new int[] {9, 3, 7, 8, 2}, 0, 4)).containsExactly(6, 7, 8, 2);
    }

    @Test
    void otherwiseThePredictionsAreCarriedAsJacobiIterationDoes() {
        assertThat(JacobiLane.carried(new int[] {5, 6, 7, 8}, new int[] {9, 3, 4, 8, 2}, 0, 4)).containsExactly(3, 4, 8, 2);
        // a guess the model confirmed stays as it is
        assertThat(JacobiLane.carried(new int[] {5, 6, 7, 8}, new int[] {9, 6, 6, 8, 2}, 0, 4)).containsExactly(6, 6, 8, 2);
        // every guess accepted, and the prediction past them with them: nothing is left
        assertThat(JacobiLane.carried(new int[] {5, 6}, new int[] {5, 6, 7}, 2, 2)).isEmpty();
        // the last guess wrong: nothing after it to choose between
        assertThat(JacobiLane.carried(new int[] {5, 6, 7}, new int[] {5, 6, 9, 4}, 2, 3)).containsExactly(4);
        // the first carried position is the last fed one: no tail to hold, and no repeat
        assertThat(JacobiLane.carried(new int[] {5, 6, 7}, new int[] {5, 1, 3, 4}, 1, 3)).containsExactly(3, 4);
    }
}
