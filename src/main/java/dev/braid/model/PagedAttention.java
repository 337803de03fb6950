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
 * <p>The leading positions every plan of a group holds in one run of consecutive slots (a lone
 * sequence's context as the pool handed it out; a system prompt or question that plans share
 * through the prefix cache or a fork) are read in place, as a view of the store, and every plan's
 * queries meet them in one product: on a model whose steps stream their weights, each byte a gather
 * copies is read from memory again. Only the rest of each context is gathered.
 *
 * <p>Every index this needs is made once per step, in the constructor, and shared by all layers.
 */
final class PagedAttention {

    /**
     * @param ownRows the cache rows of each plan's context past the group's shared run, head-major
     *                ({@link PagedKvCache#headRows}), gathered; null where the shared run is all of it
     * @param tokens  the group's rows of the step's flat token order; null when that is all of them, in order
     * @param bias    the attention mask, {@code [1, batch, 1, queryLength, keys]}; null when it masks nothing
     */
    private record GroupTensors(StepBatch.AttentionGroup group, NDArray ownRows, NDIndex tokens, NDArray bias) {
    }

    private final List<GroupTensors> groups = new ArrayList<>();
    private final NDIndex restore;

    PagedAttention(StepBatch batch, PagedKvCache cache, NDManager manager) {
        boolean whole = batch.groups().size() == 1 && batch.groupsInOrder();
        for (StepBatch.AttentionGroup g : batch.groups()) {
            NDArray own = g.maxContext() == g.sharedLength() ? null : manager.create(cache.headRows(g.ownSlots()));
            NDIndex tokens = whole ? null : new NDIndex("{}", manager.create(g.tokenRows()));
            NDArray bias = masksNothing(g.bias()) ? null : manager.create(g.bias(),
                    new Shape(1, g.batch(), 1, g.queryLength(), g.maxContext() + g.queryLength()));
            groups.add(new GroupTensors(g, own, tokens, bias));
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

    /**
     * {@code [kvHeads, b, rows, width]} as {@code [kvHeads, 1, b * rows, width]}: every plan's rows in
     * one product against keys or values they share, which are then read once rather than once per plan.
     */
    private static NDArray acrossPlans(NDArray x, long b) {
        if (b == 1) {
            return x;
        }
        Shape shape = x.getShape();
        return x.reshape(shape.get(0), 1, b * shape.get(2), shape.get(3));
    }

    /** {@link #acrossPlans} undone: {@code [kvHeads, 1, b * rows, width]} as {@code [kvHeads, b, rows, width]}. */
    private static NDArray byPlan(NDArray x, long b) {
        if (b == 1) {
            return x;
        }
        Shape shape = x.getShape();
        return x.reshape(shape.get(0), b, shape.get(2) / b, shape.get(3));
    }

    /** Where the shared run's and the own contexts' key columns end, of those present. */
    private static long[] cuts(long shared, long own) {
        if (shared > 0 && own > 0) {
            return new long[] {shared, shared + own};
        }
        return new long[] {shared + own};
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
            // keys in the order the mask's columns are: the shared run, each plan's own context, the step's tokens
            long shared = g.sharedLength();
            long own = context - shared;
            NDList scores = new NDList(3);
            NDArray vShared = null;
            if (shared > 0) {
                NDArray kShared = cache.keysInRun(layer, g.sharedStart(), (int) shared);
                vShared = cache.valuesInRun(layer, g.sharedStart(), (int) shared);
                scores.add(byPlan(acrossPlans(qg, b).matMul(kShared.transpose(0, 1, 3, 2)), b));
            }
            NDArray vOwn = null;
            if (own > 0) {
                NDArray kOwn = cache.gatherKeys(layer, t.ownRows()).reshape(kvHeads, b, own, headDim);
                vOwn = cache.gatherValues(layer, t.ownRows()).reshape(kvHeads, b, own, headDim);
                scores.add(qg.matMul(kOwn.transpose(0, 1, 3, 2)));
            }
            scores.add(qg.matMul(kStep));
            NDArray all = scores.size() == 1 ? scores.get(0) : NDArrays.concat(scores, 3);
            if (t.bias() != null) {
                all = all.reshape(kvHeads, b, rep, len, context + len).add(t.bias());
            }
            NDArray probs = all.softmax(-1).reshape(kvHeads, b, rep * len, context + len);
            NDList parts = scores.size() == 1 ? new NDList(probs) : probs.split(cuts(shared, own), 3);
            int part = 0;
            NDArray out = null;
            if (shared > 0) {
                out = byPlan(acrossPlans(parts.get(part++), b).matMul(vShared), b);
            }
            if (own > 0) {
                NDArray mine = parts.get(part++).matMul(vOwn);
                out = out == null ? mine : out.add(mine);
            }
            NDArray step = parts.get(part).matMul(vStep);
            out = out == null ? step : out.add(step);
            outputs.add(rearrange(out, new long[] {kvHeads, b, rep, len, headDim}, new int[] {1, 3, 0, 2, 4},
                    b * len, heads * headDim));
        }
        NDArray joined = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        return restore == null ? joined : joined.get(restore);
    }
}
