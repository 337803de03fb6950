package dev.braid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.braid.kv.PagedKvCache;

/**
 * What one forward pass returns: logits for the rows each plan asked for, and the K/V rows of every
 * query token, held until the planners say which of them to commit to the cache.
 *
 * <p>Lives inside the worker's per-step tensor scope: read it and commit before the scope closes.
 */
public final class StepOutput {

    private final StepBatch batch;
    private final NDArray logits;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int vocabSize;
    private long[] argmax;
    private float[] logitValues;

    StepOutput(StepBatch batch, NDArray logits, NDArray[] keys, NDArray[] values) {
        this.batch = batch;
        this.logits = logits;
        this.keys = keys;
        this.values = values;
        this.vocabSize = Math.toIntExact(logits.getShape().get(1));
    }

    public StepBatch batch() {
        return batch;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Greedy choice at logits row {@code row} of plan {@code plan}; all rows are reduced at once. */
    public int argmax(int plan, int row) {
        if (argmax == null) {
            argmax = logits.argMax(1).toLongArray();
        }
        return (int) argmax[batch.logitOffset(plan) + row];
    }

    /** A copy of one logits row; the whole matrix crosses to Java once, on the first call. */
    public float[] logits(int plan, int row) {
        if (logitValues == null) {
            logitValues = logits.toFloatArray();
        }
        float[] copy = new float[vocabSize];
        System.arraycopy(logitValues, (batch.logitOffset(plan) + row) * vocabSize, copy, 0, vocabSize);
        return copy;
    }

    /**
     * Appends the K/V rows of the given query tokens of plan {@code plan} to its sequence, in the
     * given order. The positions they were computed at must be the sequence's next positions.
     */
    public void commit(PagedKvCache cache, int plan, int[] queryIndices) {
        if (queryIndices.length == 0) {
            return;
        }
        StepPlan stepPlan = batch.plans().get(plan);
        long[] rows = new long[queryIndices.length];
        for (int i = 0; i < rows.length; i++) {
            if (stepPlan.positions()[queryIndices[i]] != stepPlan.table().length() + i) {
                throw new IllegalStateException("query token " + queryIndices[i] + " was computed at position "
                        + stepPlan.positions()[queryIndices[i]] + ", not the next free position "
                        + (stepPlan.table().length() + i));
            }
            rows[i] = batch.tokenOffset(plan) + queryIndices[i];
        }
        NDIndex index = new NDIndex("{}", logits.getManager().create(rows));
        NDArray[] k = new NDArray[keys.length];
        NDArray[] v = new NDArray[values.length];
        for (int layer = 0; layer < keys.length; layer++) {
            k[layer] = keys[layer].get(index);
            v[layer] = values[layer].get(index);
        }
        cache.commit(stepPlan.table(), k, v);
    }

    /** Commits the first {@code count} query tokens: the usual case of an accepted prefix. */
    public void commitPrefix(PagedKvCache cache, int plan, int count) {
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i;
        }
        commit(cache, plan, indices);
    }
}
