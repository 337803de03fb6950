package dev.braid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.braid.kv.PagedKvCache;
import java.util.ArrayList;
import java.util.List;

/**
 * Attention of a ragged step over the paged cache. Each group of equally long plans is one padded
 * batch: keys are the sequence's cached rows (gathered from its blocks) followed by the step's own
 * rows, and the bias masks padding and the intra-step mask. Grouped-query heads share their K/V
 * head by folding the query heads into the row dimension, so K/V are never repeated.
 */
final class PagedAttention {

    private record GroupTensors(StepBatch.AttentionGroup group, NDIndex context, NDIndex tokens, NDArray bias) {
    }

    private final List<GroupTensors> groups = new ArrayList<>();
    private final NDIndex restore;

    PagedAttention(StepBatch batch, NDManager manager) {
        for (StepBatch.AttentionGroup g : batch.groups()) {
            NDIndex context = g.maxContext() == 0 ? null : new NDIndex("{}", manager.create(g.contextSlots()));
            NDIndex tokens = new NDIndex("{}", manager.create(g.tokenRows()));
            NDArray bias = manager.create(g.bias(),
                    new Shape(g.batch(), 1, 1, g.queryLength(), g.maxContext() + g.queryLength()));
            groups.add(new GroupTensors(g, context, tokens, bias));
        }
        restore = batch.groupsInOrder() ? null : new NDIndex("{}", manager.create(batch.restoreOrder()));
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
            long keysLen = g.maxContext() + len;
            NDArray qg = q.get(t.tokens()).reshape(b, len, kvHeads, rep, headDim)
                    .transpose(0, 2, 3, 1, 4).reshape(b, kvHeads, rep * len, headDim);
            NDArray kg = keysOf(k, cache.keys(layer), t, b, len, kvHeads, headDim);
            NDArray vg = keysOf(v, cache.values(layer), t, b, len, kvHeads, headDim);
            NDArray scores = qg.matMul(kg.transpose(0, 1, 3, 2))
                    .reshape(b, kvHeads, rep, len, keysLen)
                    .add(t.bias())
                    .softmax(-1)
                    .reshape(b, kvHeads, rep * len, keysLen);
            NDArray out = scores.matMul(vg)
                    .reshape(b, kvHeads, rep, len, headDim)
                    .transpose(0, 3, 1, 2, 4)
                    .reshape(b * len, heads * headDim);
            outputs.add(out);
        }
        NDArray joined = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        return restore == null ? joined : joined.get(restore);
    }

    /** {@code [batch, kvHeads, context + len, headDim]}: cached rows, then this step's rows. */
    private static NDArray keysOf(NDArray step, NDArray pool, GroupTensors t, long b, long len,
                                  long kvHeads, long headDim) {
        NDArray own = step.get(t.tokens()).reshape(b, len, kvHeads, headDim);
        if (t.context() != null) {
            NDArray cached = pool.get(t.context()).reshape(b, t.group().maxContext(), kvHeads, headDim);
            own = cached.concat(own, 1);
        }
        return own.transpose(0, 2, 1, 3);
    }
}
