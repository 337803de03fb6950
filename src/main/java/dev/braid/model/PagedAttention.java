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
 * batch. Work is laid out head-major, {@code [kvHeads, batch, rows, headDim]}, which is how the
 * cache stores K/V: the gathered context is used without a copy or transpose, and only the small
 * per-step tensors are rearranged. Scores against the cached context and against the step's own
 * tokens are computed apart and joined before the softmax, so the context is never concatenated.
 * Grouped-query heads fold into the row dimension, so K/V heads are never repeated.
 */
final class PagedAttention {

    private record GroupTensors(StepBatch.AttentionGroup group, NDIndex context, NDIndex tokens, NDArray bias) {
    }

    private final List<GroupTensors> groups = new ArrayList<>();
    private final NDIndex restore;

    PagedAttention(StepBatch batch, NDManager manager) {
        for (StepBatch.AttentionGroup g : batch.groups()) {
            NDIndex context = g.maxContext() == 0 ? null : PagedKvCache.slotIndex(manager.create(g.contextSlots()));
            NDIndex tokens = new NDIndex("{}", manager.create(g.tokenRows()));
            NDArray bias = manager.create(g.bias(),
                    new Shape(1, g.batch(), 1, g.queryLength(), g.maxContext() + g.queryLength()));
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
            long context = g.maxContext();
            // [kvHeads, b, rep * len, headDim]
            NDArray qg = q.get(t.tokens()).reshape(b, len, kvHeads, rep, headDim)
                    .transpose(2, 0, 3, 1, 4).reshape(kvHeads, b, rep * len, headDim);
            // [kvHeads, b, len, headDim]
            NDArray kStep = k.get(t.tokens()).reshape(b, len, kvHeads, headDim).transpose(2, 0, 1, 3);
            NDArray vStep = v.get(t.tokens()).reshape(b, len, kvHeads, headDim).transpose(2, 0, 1, 3);
            NDArray scores = qg.matMul(kStep.transpose(0, 1, 3, 2));
            NDArray kCached = null;
            NDArray vCached = null;
            if (t.context() != null) {
                kCached = cache.keys(layer).get(t.context()).reshape(kvHeads, b, context, headDim);
                vCached = cache.values(layer).get(t.context()).reshape(kvHeads, b, context, headDim);
                scores = qg.matMul(kCached.transpose(0, 1, 3, 2)).concat(scores, 3);
            }
            NDArray probs = scores.reshape(kvHeads, b, rep, len, context + len)
                    .add(t.bias())
                    .softmax(-1)
                    .reshape(kvHeads, b, rep * len, context + len);
            NDArray out;
            if (kCached == null) {
                out = probs.matMul(vStep);
            } else {
                out = probs.get(":, :, :, :" + context).matMul(vCached)
                        .add(probs.get(":, :, :, " + context + ":").matMul(vStep));
            }
            outputs.add(out.reshape(kvHeads, b, rep, len, headDim)
                    .transpose(1, 3, 0, 2, 4)
                    .reshape(b * len, heads * headDim));
        }
        NDArray joined = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        return restore == null ? joined : joined.get(restore);
    }
}
