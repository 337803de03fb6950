package dev.braid.training;

import java.util.Arrays;

/**
 * One training sequence as explicit input/target pairs: the model reads {@code inputs[i]} (after
 * {@code inputs[0..i)}) and is scored on predicting {@code targets[i]} with weight
 * {@code weights[i]}. Ordinary examples are shifted copies of one token list; a Jacobi state is
 * not, since its inputs hold a wrong guess while its targets hold the fixed point.
 */
record SupervisedSequence(int[] inputs, int[] targets, float[] weights) {

    SupervisedSequence {
        if (inputs.length == 0 || inputs.length != targets.length || inputs.length != weights.length) {
            throw new IllegalArgumentException("inputs, targets and weights must have the same non-zero length, got "
                    + inputs.length + ", " + targets.length + ", " + weights.length);
        }
    }

    /** Next-token pairs of {@code tokens}; loss weight {@code weight} on every target at index {@code lossFrom} or later. */
    static SupervisedSequence shifted(int[] tokens, int lossFrom, float weight) {
        int pairs = tokens.length - 1;
        float[] weights = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            weights[i] = i + 1 >= lossFrom ? weight : 0;
        }
        return new SupervisedSequence(Arrays.copyOf(tokens, pairs), Arrays.copyOfRange(tokens, 1, tokens.length), weights);
    }

    int length() {
        return inputs.length;
    }

    /** Targets that carry loss. */
    int weightedTargets() {
        int n = 0;
        for (float w : weights) {
            n += w > 0 ? 1 : 0;
        }
        return n;
    }
}
