package dev.braid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.braid.kv.PagedKvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Attention of a ragged step over the paged cache. Each group of equally long plans is one padded
 * batch. Work is laid out head-major, {@code [kvHeads, batch, rows, headDim]}, which is how the
 * cache stores K/V: the gathered context is used without a copy or transpose, and only the small
 * per-step tensors are rearranged. Scores against the cached context and against the step's own
 * tokens are computed apart and joined before the softmax, so the context is never concatenated.
 * Grouped-query heads fold into the row dimension, so K/V heads are never repeated.
 *
 * <p>Every index this needs is made once per step, in the constructor, and shared by all layers.
 */
final class PagedAttention {

    /**
     * @param runStart    the first slot of a lone sequence's context that lies in one run of slots, read
     *                    in place; -1 otherwise
     * @param contextRows the cache rows of the group's context, head-major ({@link PagedKvCache#headRows}),
     *                    gathered; null where there is no context or it is read in place
     * @param tokens      the group's rows of the step's flat token order; null when that is all of them, in order
     * @param bias        the attention mask, {@code [1, batch, 1, queryLength, keys]}; null when it masks nothing
     */
    private record GroupTensors(StepBatch.AttentionGroup group, long runStart, NDArray contextRows, NDIndex tokens,
                                NDArray bias) {
    }

    private final List<GroupTensors> groups = new ArrayList<>();
    private final NDIndex restore;

    PagedAttention(StepBatch batch, PagedKvCache cache, NDManager manager) {
        boolean whole = batch.groups().size() == 1 && batch.groupsInOrder();
        for (StepBatch.AttentionGroup g : batch.groups()) {
            long runStart = g.batch() == 1 ? runStart(g.contextSlots()) : -1;
            NDArray context = g.maxContext() == 0 || runStart >= 0 ? null : manager.create(cache.headRows(g.contextSlots()));
            NDIndex tokens = whole ? null : new NDIndex("{}", manager.create(g.tokenRows()));
            NDArray bias = masksNothing(g.bias()) ? null : manager.create(g.bias(),
                    new Shape(1, g.batch(), 1, g.queryLength(), g.maxContext() + g.queryLength()));
            groups.add(new GroupTensors(g, runStart, context, tokens, bias));
        }
        restore = batch.groupsInOrder() ? null : new NDIndex("{}", manager.create(batch.restoreOrder()));
    }

    /**
     * {@code x} viewed as {@code shape}, its axes put in {@code order}, viewed as {@code target}; one
     * reshape when the order moves only axes of length 1 (a single sequence's one-token step), since
     * each tensor operation costs microseconds of dispatch on a CPU whatever its size.
     */
    static NDArray rearrange(NDArray x, long[] shape, int[] order, long... target) {
        if (movesOnlyUnitAxes(shape, order)) {
            return x.reshape(target);
        }
        NDArray moved = x.reshape(shape).transpose(order);
        long[] movedShape = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            movedShape[i] = shape[order[i]];
        }
        return Arrays.equals(movedShape, target) ? moved : moved.reshape(target);
    }

    static boolean movesOnlyUnitAxes(long[] shape, int[] order) {
        int last = -1;
        for (int axis : order) {
            if (shape[axis] != 1) {
                if (axis < last) {
                    return false;
                }
                last = axis;
            }
        }
        return true;
    }

    /** The first of {@code slots} where they are consecutive, else -1 (and -1 for none). */
    static long runStart(long[] slots) {
        if (slots.length == 0) {
            return -1;
        }
        for (int i = 1; i < slots.length; i++) {
            if (slots[i] != slots[0] + i) {
                return -1;
            }
        }
        return slots[0];
    }

    /** One-token steps over contexts of one length (plain decoding of a batch) need no mask. */
    private static boolean masksNothing(float[] bias) {
        for (float b : bias) {
            if (b != 0f) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param q scaled queries {@code [T, heads, headDim]}
     * @param k keys of this step {@code [T, kvHeads, headDim]}, positions already encoded
     * @param v values of this step {@code [T, kvHeads, headDim]}
     * @return {@code [T, heads * headDim]} in flat token order
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, PagedKvCache cache, int layer) {
        long heads = q.getShape().get(1);
        long kvHeads = k.getShape().get(1);
        long headDim = q.getShape().get(2);
        long rep = heads / kvHeads;
        NDList outputs = new NDList(groups.size());
        for (GroupTensors t : groups) {
            StepBatch.AttentionGroup g = t.group();
            long b = g.batch();
            long len = g.queryLength();
            long context = g.maxContext();
            NDArray qs = t.tokens() == null ? q : q.get(t.tokens());
            NDArray ks = t.tokens() == null ? k : k.get(t.tokens());
            NDArray vs = t.tokens() == null ? v : v.get(t.tokens());
            // [kvHeads, b, rep * len, headDim]
            NDArray qg = rearrange(qs, new long[] {b, len, kvHeads, rep, headDim}, new int[] {2, 0, 3, 1, 4},
                    kvHeads, b, rep * len, headDim);
            // keys transposed for the product, [kvHeads, b, headDim, len]; values [kvHeads, b, len, headDim]
            NDArray kStep = rearrange(ks, new long[] {b, len, kvHeads, headDim}, new int[] {2, 0, 3, 1},
                    kvHeads, b, headDim, len);
            NDArray vStep = rearrange(vs, new long[] {b, len, kvHeads, headDim}, new int[] {2, 0, 1, 3},
                    kvHeads, b, len, headDim);
            NDArray scores = qg.matMul(kStep);
            NDArray vCached = null;
            if (context > 0) {
                NDArray kCached;
                if (t.runStart() >= 0) {
                    kCached = cache.keysInRun(layer, t.runStart(), (int) context);
                    vCached = cache.valuesInRun(layer, t.runStart(), (int) context);
                } else {
                    kCached = cache.gatherKeys(layer, t.contextRows()).reshape(kvHeads, b, context, headDim);
                    vCached = cache.gatherValues(layer, t.contextRows()).reshape(kvHeads, b, context, headDim);
                }
                scores = qg.matMul(kCached.transpose(0, 1, 3, 2)).concat(scores, 3);
            }
            if (t.bias() != null) {
                scores = scores.reshape(kvHeads, b, rep, len, context + len).add(t.bias());
            }
            NDArray probs = scores.softmax(-1).reshape(kvHeads, b, rep * len, context + len);
            NDArray out;
            if (vCached == null) {
                out = probs.matMul(vStep);
            } else {
                NDList parts = probs.split(new long[] {context}, 3);
                out = parts.get(0).matMul(vCached).add(parts.get(1).matMul(vStep));
            }
            outputs.add(rearrange(out, new long[] {kvHeads, b, rep, len, headDim}, new int[] {1, 3, 0, 2, 4},
                    b * len, heads * headDim));
        }
        NDArray joined = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        return restore == null ? joined : joined.get(restore);
    }
}
