package dev.braid.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.braid.model.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Training rows of a fixed length, each packing several conversations end to end. Every
 * conversation attends only to itself (a block-diagonal causal mask) and its positions restart at
 * zero, so packing changes nothing but the padding wasted. Loss falls on the answer only.
 */
final class PackedDataset {

    static final float MASKED = -1e9f;

    /** One packed row; segment -1 marks padding. */
    record Row(int[] inputs, int[] targets, float[] weights, int[] positions, int[] segments) {
    }

    /** One batch on the device: what {@code forwardTraining} and the loss need. */
    record Batch(NDArray tokens, NDArray positions, NDArray bias, NDArray targets, NDArray weights) {
    }

    private final List<Row> rows;
    private final long answerTokens;

    private PackedDataset(List<Row> rows, long answerTokens) {
        this.rows = rows;
        this.answerTokens = answerTokens;
    }

    static PackedDataset pack(List<CorpusGenerator.Example> examples, TextTokenizer tokenizer, int length) {
        List<SupervisedSequence> sequences = new ArrayList<>(examples.size());
        for (CorpusGenerator.Example example : examples) {
            int[] all = tokenizer.encode(ChatFormat.conversation(example.user(), example.assistant()));
            int promptLength = tokenizer.encode(ChatFormat.prompt(example.user())).length;
            sequences.add(SupervisedSequence.shifted(all, promptLength, 1f));
        }
        List<Row> rows = SequencePacker.pack(sequences, length);
        long answerTokens = 0;
        for (Row row : rows) {
            for (float weight : row.weights()) {
                answerTokens += weight > 0 ? 1 : 0;
            }
        }
        return new PackedDataset(rows, answerTokens);
    }

    List<Row> rows() {
        return rows;
    }

    long answerTokens() {
        return answerTokens;
    }

    static Batch batch(NDManager manager, List<Row> rows) {
        int b = rows.size();
        int length = rows.get(0).inputs().length;
        long[] tokens = new long[b * length];
        long[] positions = new long[b * length];
        long[] targets = new long[b * length];
        float[] weights = new float[b * length];
        float[] bias = new float[b * length * length];
        for (int r = 0; r < b; r++) {
            Row row = rows.get(r);
            for (int q = 0; q < length; q++) {
                int i = r * length + q;
                tokens[i] = row.inputs()[q];
                positions[i] = row.positions()[q];
                targets[i] = row.targets()[q];
                weights[i] = row.weights()[q];
                int base = (r * length + q) * length;
                for (int k = 0; k < length; k++) {
                    boolean visible = row.segments()[q] < 0 ? k == q
                            : k <= q && row.segments()[k] == row.segments()[q];
                    bias[base + k] = visible ? 0 : MASKED;
                }
            }
        }
        return new Batch(manager.create(tokens, new Shape(b, length)), manager.create(positions, new Shape(b, length)),
                manager.create(bias, new Shape(b, length, length)), manager.create(targets, new Shape(b, length, 1)),
                manager.create(weights, new Shape(b, length)));
    }
}
