package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** A worker's memory of how guesses have been doing, which new sequences start from. */
class GuessMemoryTest {

    @Test
    void aNewSequenceStartsFromWhatEarlierOnesLearned() {
        GuessMemory memory = new GuessMemory();
        double[] prior = AcceptanceCurve.prior(4);
        assertThat(memory.knows("jacobi")).isFalse();
        assertThat(memory.recall("jacobi", prior)).containsExactly(0.5, 0.5, 0.5, 0.5);
        AcceptanceCurve first = AcceptanceCurve.recall(memory, "jacobi", 4);
        for (int i = 0; i < 100; i++) {
            first.observe(4, 0);
            first.rememberIn(memory, "jacobi");
        }
        AcceptanceCurve next = AcceptanceCurve.recall(memory, "jacobi", 4);
        assertThat(next.expected(4)).isEqualTo(first.expected(4), within(1e-3)).isLessThan(0.01);
        // a recalled estimate is a copy: the next sequence's steps do not change the memory
        next.observe(4, 4);
        assertThat(memory.recall("jacobi", prior)[0]).isLessThan(0.01);
    }

    @Test
    void sequencesOfOtherLengthsShareWhatTheyLearnedPositionByPosition() {
        GuessMemory memory = new GuessMemory();
        memory.remember("jacobi", new double[] {0.9, 0.8});
        // a longer sequence recalls the two positions known and the prior beyond
        assertThat(memory.recall("jacobi", AcceptanceCurve.prior(4))).containsExactly(0.9, 0.8, 0.5, 0.5);
        assertThat(memory.knownPositions("jacobi")).isEqualTo(2);
        // what it learned extends the entry; the shorter one's positions move a fifth of the way
        memory.remember("jacobi", new double[] {0.4, 0.3, 0.2, 0.1});
        assertThat(memory.recall("jacobi", AcceptanceCurve.prior(4)))
                .containsExactly(new double[] {0.8, 0.7, 0.2, 0.1}, within(1e-12));
        assertThat(memory.knownPositions("jacobi")).isEqualTo(4);
        // and a shorter sequence still recalls its own positions: a longer one did not overwrite them
        memory.remember("jacobi", new double[] {0.0});
        assertThat(memory.recall("jacobi", AcceptanceCurve.prior(1))).containsExactly(new double[] {0.64}, within(1e-12));
        assertThat(memory.recall("jacobi", AcceptanceCurve.prior(4))[3]).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void aRecalledCurveCountsOnlyThePositionsMemoryKnowsAsLearned() {
        GuessMemory memory = new GuessMemory();
        memory.remember("jacobi", new double[] {0.5, 0.5});
        AcceptanceCurve curve = AcceptanceCurve.recall(memory, "jacobi", 4);
        for (int i = 0; i < 4; i++) {
            curve.observe(4, 4);
        }
        // a known position moves a tenth a step; a position nobody tried averages with its prior
        assertThat(curve.probability(0)).isCloseTo(1 - 0.5 * Math.pow(0.9, 4), within(1e-9));
        assertThat(curve.probability(2)).isCloseTo(0.9, within(1e-9));
    }

    @Test
    void theMemoryOfNoneKeepsNothing() {
        GuessMemory none = GuessMemory.none();
        none.remember("lookahead", new double[] {0, 3, 3, 3, 3});
        assertThat(none.knows("lookahead")).isFalse();
        assertThat(none.recall("lookahead", new double[] {0, 1, 1, 1, 1})).containsExactly(0, 1, 1, 1, 1);
    }

    @Test
    void eachObservationMovesTheRememberedEntryOnceWhicheverSequenceMadeIt() {
        GuessMemory memory = new GuessMemory();
        double[] prior = {0, 1, 1};
        // ten steps of shape 1 that accepted nothing, made by two sequences in turn: with remember,
        // each blended a sequence's own slowly moving estimate, and memory forgot a tenth as fast
        for (int i = 0; i < 10; i++) {
            memory.observe("lookahead", prior, 1, 0, 0.1);
        }
        double[] recalled = memory.recall("lookahead", prior);
        // the first nine average with the prior (1/2, 1/3, … 1/10 of the way), the tenth moves 0.1
        assertThat(recalled[1]).isCloseTo(0.1 * 0.9, within(1e-12));
        // the shapes nobody tried keep the prior
        assertThat(recalled[0]).isEqualTo(0);
        assertThat(recalled[2]).isEqualTo(1);
        GuessMemory none = GuessMemory.none();
        none.observe("lookahead", prior, 1, 0, 0.5);
        assertThat(none.knows("lookahead")).isFalse();
    }
}
