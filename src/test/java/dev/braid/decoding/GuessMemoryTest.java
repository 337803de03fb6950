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
        AcceptanceCurve first = new AcceptanceCurve(memory.recall("jacobi", prior));
        for (int i = 0; i < 100; i++) {
            first.observe(4, 0);
            first.rememberIn(memory, "jacobi");
        }
        AcceptanceCurve next = new AcceptanceCurve(memory.recall("jacobi", prior));
        assertThat(next.expected(4)).isEqualTo(first.expected(4), within(1e-3)).isLessThan(0.01);
        // a recalled estimate is a copy: the next sequence's steps do not change the memory
        next.observe(4, 4);
        assertThat(memory.recall("jacobi", prior)[0]).isLessThan(0.01);
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
