package dev.braid.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConsistencyExamplesTest {

    private static final int[] PROMPT = {10, 11, 12};
    private static final int[] ANSWER = {20, 21, 22, 23, 24, 25};

    @Test
    void aStateIsScoredAgainstTheFixedPointFromItsFirstWrongToken() {
        JacobiTrajectories.Block block = new JacobiTrajectories.Block(2, List.of(
                new int[] {22, 99, 24, 77}, new int[] {22, 23, 24, 25}));
        JacobiTrajectories.Trajectory trajectory = new JacobiTrajectories.Trajectory(PROMPT, ANSWER, List.of(block));
        SupervisedSequence s = ConsistencyExamples.consistency(trajectory, block, block.states().get(0), 1f);
        // prompt, converged answer before the block, then the state without its last token
        assertThat(s.inputs()).containsExactly(10, 11, 12, 20, 21, 22, 99, 24);
        assertThat(s.targets()).containsExactly(11, 12, 20, 21, 22, 23, 24, 25);
        // the context carries no loss; 22 is right with a right prefix (masked); from 99 on every
        // target counts, 24 included: it is right, but its prefix is not
        assertThat(s.weights()).containsExactly(0f, 0f, 0f, 0f, 0f, 1f, 1f, 1f);
    }

    @Test
    void aTrajectoryYieldsItsArSequenceAndSampledIntermediateStatesOnly() {
        JacobiTrajectories.Block first = new JacobiTrajectories.Block(0, List.of(
                new int[] {1, 1, 1}, new int[] {20, 5, 5}, new int[] {20, 21, 6}, new int[] {20, 21, 22}));
        JacobiTrajectories.Block second = new JacobiTrajectories.Block(3, List.of(new int[] {23, 24, 25}));
        JacobiTrajectories.Trajectory trajectory = new JacobiTrajectories.Trajectory(PROMPT, ANSWER, List.of(first, second));
        List<SupervisedSequence> sequences = ConsistencyExamples.of(trajectory, 2, 10f, new Random(1));
        // AR, then two of the first block's three intermediate states; the second block started converged
        assertThat(sequences).hasSize(3);
        assertThat(sequences.get(0).inputs()).containsExactly(10, 11, 12, 20, 21, 22, 23, 24);
        assertThat(sequences.get(0).weights()).containsExactly(0f, 0f, 10f, 10f, 10f, 10f, 10f, 10f);
        for (SupervisedSequence s : sequences.subList(1, 3)) {
            assertThat(s.targets()).endsWith(20, 21, 22);
            assertThat(s.weightedTargets()).isPositive();
        }
        assertThat(sequences.get(1).inputs()).isNotEqualTo(sequences.get(2).inputs());
    }

    @Test
    void aCollapsedAnswerIsDropped() {
        int[] collapsed = {20, 7, 7, 7, 7, 7, 7, 7, 7, 4};
        JacobiTrajectories.Trajectory trajectory = new JacobiTrajectories.Trajectory(PROMPT, collapsed,
                List.of(new JacobiTrajectories.Block(0, List.of(new int[] {1, 1}, collapsed))));
        assertThat(ConsistencyExamples.of(trajectory, 2, 1f, new Random(1))).isEmpty();
    }

    @Test
    void packedSequencesKeepTheirPairsAndSeeOnlyThemselves() {
        SupervisedSequence a = new SupervisedSequence(new int[] {1, 2, 3}, new int[] {9, 8, 7}, new float[] {0, 1, 1});
        SupervisedSequence b = new SupervisedSequence(new int[] {4, 5}, new int[] {6, 6}, new float[] {1, 0});
        SupervisedSequence c = new SupervisedSequence(new int[] {1, 1, 1, 1}, new int[] {2, 2, 2, 2}, new float[] {1, 1, 1, 1});
        List<PackedDataset.Row> rows = SequencePacker.pack(List.of(a, b, c), 6);
        assertThat(rows).hasSize(2);
        PackedDataset.Row row = rows.get(0);
        // inputs and targets are taken as given, not derived from each other
        assertThat(row.inputs()).containsExactly(1, 2, 3, 4, 5, 0);
        assertThat(row.targets()).containsExactly(9, 8, 7, 6, 6, 0);
        assertThat(row.weights()).containsExactly(0f, 1f, 1f, 1f, 0f, 0f);
        assertThat(row.positions()).containsExactly(0, 1, 2, 0, 1, 0);
        assertThat(row.segments()).containsExactly(0, 0, 0, 1, 1, -1);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            float[] bias = PackedDataset.batch(manager, List.of(row)).bias().toFloatArray();
            assertThat(bias[3 * 6 + 2]).as("b's first token does not see a").isEqualTo(PackedDataset.MASKED);
            assertThat(bias[4 * 6 + 3]).as("b sees itself causally").isZero();
            assertThat(bias[2 * 6 + 0]).isZero();
            assertThat(bias[1 * 6 + 2]).as("causal").isEqualTo(PackedDataset.MASKED);
        }
    }
}
