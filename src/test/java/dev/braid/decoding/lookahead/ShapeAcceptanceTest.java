package dev.braid.decoding.lookahead;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.decoding.GuessMemory;
import org.junit.jupiter.api.Test;

/** What a lookahead lane learns of its step shapes from one verified step. */
class ShapeAcceptanceTest {

    /** The pool offered three candidates: shapes 1 and 2 verify the first one and two, 3 and 4 all. */
    private static final int[] THREE_OFFERED = {0, 1, 2, 3, 3};

    /** A step no candidate matched: the model's own token, 5, and what its first candidates accepted. */
    private static Verification.Verdict missed(int[] matchedAmongFirst) {
        return new Verification.Verdict(-1, 0, new int[] {5}, matchedAmongFirst);
    }

    @Test
    void aStepThatVerifiedEveryCandidateTeachesTheShapesThatVerifyFewer() {
        ShapeAcceptance shapes = new ShapeAcceptance(new GuessMemory());
        // candidates 0 and 1 missed, candidate 2 matched two tokens
        shapes.observe(3, THREE_OFFERED, new Verification.Verdict(2, 2, new int[] {5, 6, 7}, new int[] {0, 0, 2}));
        assertThat(shapes.expected(1)).isZero();
        assertThat(shapes.expected(2)).isZero();
        assertThat(shapes.expected(3)).isEqualTo(2);
        assertThat(shapes.expected(4)).as("the same candidates, and a window").isEqualTo(2);
    }

    @Test
    void aStepThatVerifiedFewerCandidatesLeavesTheShapesThatVerifyMore() {
        ShapeAcceptance shapes = new ShapeAcceptance(new GuessMemory());
        shapes.observe(1, THREE_OFFERED, missed(new int[] {0}));
        assertThat(shapes.expected(1)).isZero();
        assertThat(shapes.expected(2)).isEqualTo(1);
        assertThat(shapes.expected(3)).isEqualTo(1);
    }

    @Test
    void whereThePoolOfferedOneCandidateEveryShapeVerifiedIt() {
        ShapeAcceptance shapes = new ShapeAcceptance(new GuessMemory());
        shapes.observe(1, new int[] {0, 1, 1, 1, 1}, missed(new int[] {0}));
        for (int shape = 1; shape < ShapeAcceptance.SHAPES; shape++) {
            assertThat(shapes.expected(shape)).as("shape %d", shape).isZero();
        }
    }

    @Test
    void aSampledStepTeachesOnlyItsOwnShape() {
        ShapeAcceptance shapes = new ShapeAcceptance(new GuessMemory());
        shapes.observe(3, THREE_OFFERED, missed(null));
        assertThat(shapes.expected(3)).isZero();
        assertThat(shapes.expected(1)).isEqualTo(1);
        assertThat(shapes.expected(4)).isEqualTo(1);
    }

    @Test
    void aPlainStepOrAnEmptyPoolTeachesNothing() {
        ShapeAcceptance shapes = new ShapeAcceptance(new GuessMemory());
        Verification.Verdict none = missed(new int[0]);
        shapes.observe(0, THREE_OFFERED, none);
        shapes.observe(4, new int[] {0, 0, 0, 0, 0}, none);
        assertThat(shapes.expected(1)).isEqualTo(1);
        assertThat(shapes.expected(4)).isEqualTo(1);
    }

    @Test
    void aNewLaneStartsFromWhatTheWorkerRemembers() {
        GuessMemory memory = new GuessMemory();
        ShapeAcceptance first = new ShapeAcceptance(memory);
        first.observe(4, THREE_OFFERED, missed(new int[] {0, 0, 0}));
        ShapeAcceptance next = new ShapeAcceptance(memory);
        // the memory's first observation averages with the prior of one token
        for (int shape = 1; shape < ShapeAcceptance.SHAPES; shape++) {
            assertThat(next.expected(shape)).as("shape %d", shape).isEqualTo(0.5);
        }
    }
}
