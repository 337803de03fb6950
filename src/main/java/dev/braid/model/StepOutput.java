package dev.braid.model;

import ai.djl.ndarray.NDArray;
import dev.braid.kv.PagedKvCache;
import java.util.Arrays;

/**
 * What one forward pass returns: logits for the rows each plan asked for, and the K/V rows of every
 * query token, held until the planners say which of them to commit to the cache.
 *
 * <p>Lives inside the worker's per-step tensor scope: read it, commit and {@link #flush} before the
 * scope closes.
 */
public final class StepOutput {

    private final StepBatch batch;
    private final NDArray logits;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int vocabSize;
    private final StepProfile profile;
    private long[] argmax;
    private float[] logitValues;
    /** The cache the step read its context from, which its committed rows go to. */
    private final PagedKvCache cache;
    private long[] pendingRows = new long[16];
    private long[] pendingSlots = new long[16];
    private int pending;

    StepOutput(StepBatch batch, PagedKvCache cache, NDArray logits, NDArray[] keys, NDArray[] values,
               StepProfile profile) {
        this.batch = batch;
        this.cache = cache;
        this.profile = profile;
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
            long start = System.nanoTime();
            argmax = logits.argMax(1).toLongArray();
            profile.charge(StepProfile.Phase.LOGITS, System.nanoTime() - start);
        }
        return (int) argmax[batch.logitOffset(plan) + row];
    }

    /** A copy of one logits row; the whole matrix crosses to Java once, on the first call. */
    public float[] logits(int plan, int row) {
        if (logitValues == null) {
            long start = System.nanoTime();
            logitValues = logits.toFloatArray();
            profile.charge(StepProfile.Phase.LOGITS, System.nanoTime() - start);
        }
        float[] copy = new float[vocabSize];
        System.arraycopy(logitValues, (batch.logitOffset(plan) + row) * vocabSize, copy, 0, vocabSize);
        return copy;
    }

    /**
     * Appends the K/V rows of the given query tokens of plan {@code plan} to its sequence, in the
     * given order. The positions they were computed at must be the sequence's next positions. The
     * sequence advances at once; the rows reach the cache at {@link #flush}, together with every
     * other commit of this step, so a step's writes cost the same few tensor calls however many
     * sequences it carries.
     */
    public void commit(int plan, int[] queryIndices) {
        if (queryIndices.length == 0) {
            return;
        }
        StepPlan stepPlan = batch.plans().get(plan);
        for (int i = 0; i < queryIndices.length; i++) {
            if (stepPlan.positions()[queryIndices[i]] != stepPlan.table().length() + i) {
                throw new IllegalStateException("query token " + queryIndices[i] + " was computed at position "
                        + stepPlan.positions()[queryIndices[i]] + ", not the next free position "
                        + (stepPlan.table().length() + i));
            }
        }
        int[] ids = new int[queryIndices.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = stepPlan.tokens()[queryIndices[i]];
        }
        long[] slots = cache.claim(stepPlan.table(), ids);
        ensureRoom(queryIndices.length);
        for (int i = 0; i < queryIndices.length; i++) {
            pendingRows[pending] = batch.tokenOffset(plan) + queryIndices[i];
            pendingSlots[pending++] = slots[i];
        }
    }

    /** Writes this step's committed rows to the cache; the step's owner calls it before the next read. */
    public void flush() {
        if (pending == 0) {
            return;
        }
        long[] rows = Arrays.copyOf(pendingRows, pending);
        long[] slots = Arrays.copyOf(pendingSlots, pending);
        cache.write(slots, keys, values, coversEveryRowInOrder(rows) ? null : rows);
        pending = 0;
    }

    private boolean coversEveryRowInOrder(long[] rows) {
        if (rows.length != batch.tokenCount()) {
            return false;
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != i) {
                return false;
            }
        }
        return true;
    }

    private void ensureRoom(int more) {
        if (pending + more > pendingRows.length) {
            int size = Math.max(pending + more, pendingRows.length * 2);
            pendingRows = Arrays.copyOf(pendingRows, size);
            pendingSlots = Arrays.copyOf(pendingSlots, size);
        }
    }

    /** Commits the first {@code count} query tokens: the usual case of an accepted prefix. */
    public void commitPrefix(int plan, int count) {
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i;
        }
        commit(plan, indices);
    }
}
