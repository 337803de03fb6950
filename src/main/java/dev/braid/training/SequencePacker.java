package dev.braid.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Packs {@link SupervisedSequence}s into fixed-length {@link PackedDataset.Row}s, the same layout
 * {@link PackedDataset} builds for plain conversations (block-diagonal causal segments, positions
 * restarting at zero, padding as segment -1), so {@link PackedDataset#batch} and the trainer's
 * loss apply unchanged. Sequences longer than a row are cut at the row length.
 */
final class SequencePacker {

    private SequencePacker() {
    }

    static List<PackedDataset.Row> pack(List<SupervisedSequence> sequences, int length) {
        List<PackedDataset.Row> rows = new ArrayList<>();
        Builder row = new Builder(length);
        for (SupervisedSequence sequence : sequences) {
            int pairs = Math.min(sequence.length(), length);
            if (!row.fits(pairs)) {
                rows.add(row.build());
                row = new Builder(length);
            }
            row.add(sequence, pairs);
        }
        if (row.used > 0) {
            rows.add(row.build());
        }
        return rows;
    }

    private static final class Builder {
        private final int[] inputs;
        private final int[] targets;
        private final float[] weights;
        private final int[] positions;
        private final int[] segments;
        private int used;
        private int segment;

        Builder(int length) {
            inputs = new int[length];
            targets = new int[length];
            weights = new float[length];
            positions = new int[length];
            segments = new int[length];
            Arrays.fill(segments, -1);
        }

        boolean fits(int pairs) {
            return used + pairs <= inputs.length;
        }

        void add(SupervisedSequence sequence, int pairs) {
            System.arraycopy(sequence.inputs(), 0, inputs, used, pairs);
            System.arraycopy(sequence.targets(), 0, targets, used, pairs);
            System.arraycopy(sequence.weights(), 0, weights, used, pairs);
            for (int i = 0; i < pairs; i++) {
                positions[used + i] = i;
                segments[used + i] = segment;
            }
            used += pairs;
            segment++;
        }

        PackedDataset.Row build() {
            return new PackedDataset.Row(inputs, targets, weights, positions, segments);
        }
    }
}
