package dev.braid.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.braid.kv.KvCacheSpec;
import dev.braid.kv.PagedKvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decoder-only transformer evaluated over a ragged {@link StepBatch} against a paged KV cache.
 * Subclasses supply the family's embedding, block and head; the step's index tensors are made
 * once and shared by every layer.
 *
 * <p>Callers run {@link #forward} inside an {@code NDScope}: every tensor of the step, the
 * returned {@link StepOutput} included, is released when that scope closes.
 */
public abstract class Transformer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Transformer.class);
    /** Rows a packed copy is checked at: a vector, then one product of each larger {@link ProductRows} range. */
    private static final long[] CHECKED_ROWS = {1, 3, 8, 33};
    /** How far a packed product may stray from rows first, relative to its largest output: rounding, not a wrong result. */
    private static final float PACKED_TOLERANCE = 1e-2f;

    protected final ModelConfig config;
    protected final NDManager manager;
    private final WeightDtype dtype;
    private long parameters;
    private long lookupParameters;
    private long weightBytes;
    private long lookupBytes;
    /**
     * By one thread (0) or several (1), then {@link ProductRows} ordinal; replaced whole, so a step
     * reads one consistent set.
     */
    private volatile ProductMethod[][] productMethods = initialProductMethods();
    /** The weight matrices of the products, in their held precision: what {@link #packProducts} copies. */
    private final List<NDArray> productWeights = new ArrayList<>();
    /** Each product weight's {@link ProductMethod#PACKED} copy, once made and found to agree with rows first. */
    private final Map<NDArray, NDArray> packedWeights = new IdentityHashMap<>();
    /** Whether {@link #packProducts} ran since the copies were last dropped: refused copies are not made again. */
    private boolean packsMade;
    /** The scripted products: in half precision, packed, in output blocks. */
    private final ScriptModule products;
    /** A scripted product's empty bias list, made once rather than for every product of every step. */
    private static final NDArray[] NO_BIAS = new NDArray[0];

    protected Transformer(ModelConfig config, Device device, WeightDtype dtype) {
        this.config = config;
        this.dtype = dtype;
        this.manager = NDManager.newBaseManager(device);
        this.products = ScriptModule.load("Products.torchscript", "Products", manager);
    }

    private static ProductMethod[][] initialProductMethods() {
        ProductMethod[][] methods = new ProductMethod[2][ProductRows.values().length];
        for (ProductMethod[] byRows : methods) {
            Arrays.fill(byRows, ProductMethod.ROWS_FIRST);
        }
        return methods;
    }

    public WeightDtype dtype() {
        return dtype;
    }

    /**
     * A weight matrix (or its bias) of the products, in this model's {@link WeightDtype}; the
     * float32 original is freed. Matrices are also listed for {@link #packProducts}.
     */
    protected NDArray product(NDArray weight) {
        if (weight == null) {
            return null;
        }
        NDArray held = weight;
        if (weight.getDataType() != dtype.type()) {
            held = products.call("narrow", weight, (long) dtype.scalarType());
            weightBytes += held.size() * dtype.type().getNumOfBytes() - weight.size() * weight.getDataType().getNumOfBytes();
            weight.close();
        }
        if (held.getShape().dimension() == 2) {
            productWeights.add(held);
        }
        return held;
    }

    /** Loads one tensor of the checkpoint onto this model's device, counting its parameters. */
    protected NDArray weight(Checkpoint checkpoint, String name) {
        NDArray array = checkpoint.load(name, manager);
        parameters += array.size();
        weightBytes += array.size() * array.getDataType().getNumOfBytes();
        return array;
    }

    /** Marks a loaded table that steps only look rows up in (an untied embedding): they never stream it whole. */
    protected void lookupOnly(NDArray table) {
        lookupParameters += table.size();
        lookupBytes += table.size() * table.getDataType().getNumOfBytes();
    }

    /** A manager on this model's device for short-lived tensors, e.g. one training batch. */
    public NDManager newScratchManager() {
        return manager.newSubManager();
    }

    /** Parameters loaded from the checkpoint; tied embeddings count once. */
    public long parameterCount() {
        return parameters;
    }

    /** Bytes of weights every step reads whatever its tokens: all but the tables it only looks rows up in. */
    public long streamedWeightBytes() {
        return weightBytes - lookupBytes;
    }

    /**
     * Multiply-adds per query token in the weight products: the parameters of {@link
     * #streamedWeightBytes}. Attention's own products are counted apart.
     */
    public long streamedParameters() {
        return parameters - lookupParameters;
    }

    public ModelConfig config() {
        return config;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The KV cache shape this model needs for a pool of {@code numBlocks} blocks. */
    public KvCacheSpec cacheSpec(int blockSize, int numBlocks) {
        return new KvCacheSpec(blockSize, numBlocks, config.numLayers(), config.numKvHeads(), config.headDim());
    }

    public StepOutput forward(StepBatch batch, PagedKvCache cache) {
        StepProfile profile = new StepProfile();
        profile.start();
        return forward(batch, cache, profile);
    }

    /**
     * One forward pass, its phases timed into {@code profile} from its last lap on (the caller has
     * started its clock).
     */
    public StepOutput forward(StepBatch batch, PagedKvCache cache, StepProfile profile) {
        cache.requireWritten();
        for (StepPlan plan : batch.plans()) {
            int last = plan.positions().length == 0 ? 0 : max(plan.positions());
            if (last >= config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("position " + last + " is beyond the model's context of "
                        + config.maxPositionEmbeddings() + " tokens");
            }
            // Sliding-window attention is not implemented: refuse rather than attend differently from the model.
            if (config.slidingWindow() != null && last >= config.slidingWindow()) {
                throw new IllegalArgumentException("position " + last + " is beyond the model's sliding attention window of "
                        + config.slidingWindow() + " tokens (config.json field \"sliding_window\"), which Braid does not support");
            }
        }
        StepTensors step = new StepTensors(batch, cache, manager, profile);
        profile.lap(StepProfile.Phase.INPUTS);
        NDArray x = embed(step);
        profile.lap(StepProfile.Phase.EMBED);
        int layers = config.numLayers();
        NDArray[] keys = new NDArray[layers];
        NDArray[] values = new NDArray[layers];
        for (int layer = 0; layer < layers; layer++) {
            x = block(layer, x, step, cache, keys, values);
        }
        if (batch.logitRows().length != batch.tokenCount()) {
            x = lookup(x, manager.create(batch.logitRows()));
        }
        NDArray logits = head(x);
        profile.lap(StepProfile.Phase.HEAD);
        return new StepOutput(batch, cache, logits, keys, values, profile);
    }

    /** Token (and, for learned positions, position) embeddings: {@code [T, hidden]}. */
    protected abstract NDArray embed(StepTensors step);

    /** One transformer block; stores this step's K/V rows of the layer in {@code keys}/{@code values}. */
    protected abstract NDArray block(int layer, NDArray x, StepTensors step, PagedKvCache cache,
                                     NDArray[] keys, NDArray[] values);

    /** Final norm and LM head: {@code [rows, vocab]}. */
    protected abstract NDArray head(NDArray hidden);

    /**
     * {@code x W^T + b}; a product held in another precision than {@code x} runs in its own and
     * returns in {@code x}'s. Products on a CPU multiply by the {@link #productMethod} of their
     * {@link ProductRows} range and the calling thread's thread count, and rows first where that
     * method cannot serve: packed before {@link #packProducts}, output blocks the threads do not divide.
     */
    protected NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        int threads = CpuThreads.onThisThread();
        ProductMethod method = methodFor(x, threads);
        if (method == ProductMethod.PACKED) {
            NDArray packed = packedWeights.get(weight);
            if (packed != null) {
                return products.call("packed", x, packed, biasList(bias));
            }
        } else if (method == ProductMethod.OUTPUT_BLOCKS && weight.getShape().get(0) % threads == 0) {
            return products.call("blocks", x, weight, (long) threads, biasList(bias));
        }
        return rowsFirst(x, weight, bias);
    }

    private NDArray rowsFirst(NDArray x, NDArray weight, NDArray bias) {
        if (weight.getDataType() != x.getDataType()) {
            return products.call("linear", x, weight, biasList(bias));
        }
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    private static NDArray[] biasList(NDArray bias) {
        return bias == null ? NO_BIAS : new NDArray[] {bias};
    }

    /** The method set for {@code x}'s rows on {@code threads}; rows first for anything but a 2-D batch of rows. */
    private ProductMethod methodFor(NDArray x, int threads) {
        Shape shape = x.getShape();
        ProductRows range = shape.dimension() == 2 ? ProductRows.of(shape.get(0)) : null;
        return range == null ? ProductMethod.ROWS_FIRST : productMethods[threads > 1 ? 1 : 0][range.ordinal()];
    }

    /**
     * Makes the {@link ProductMethod#PACKED} copy of every product weight, in its own precision,
     * doubling their memory until {@link #dropUnusedPackedProducts}; false, with nothing made, off a
     * CPU. Throws where this libtorch cannot pack them. A copy whose products disagree with rows first
     * ({@link #packedAgrees}) is dropped, and its weight multiplies rows first by any method: on one
     * AVX-512 host oneDNN's packed products were wrong for matrices of some shapes, packed on one
     * thread (outputs not a multiple of 64) or on two (others, such as 256 × 256).
     */
    public boolean packProducts() {
        if (packsMade) {
            return true;
        }
        if (productWeights.isEmpty() || !device().getDeviceType().equals(Device.Type.CPU)) {
            return false;
        }
        int restore = CpuThreads.onThisThread();
        // on that host a reorder on two threads got shapes wrong that one thread got right
        CpuThreads.useOnThisThread(1);
        try {
            Set<Shape> refused = new LinkedHashSet<>();
            for (NDArray weight : productWeights) {
                NDArray copy = products.call("pack", weight, 1L);
                // a weight outlives any step's scope the caller may have open
                NDScope.unregister(copy);
                if (packedAgrees(weight, copy)) {
                    packedWeights.put(weight, copy);
                } else {
                    copy.close();
                    refused.add(weight.getShape());
                }
            }
            packsMade = true;
            if (!refused.isEmpty()) {
                log.warn("oneDNN's packed product disagrees with rows first on this host for {} of {} weight matrices, "
                        + "shaped {}: those multiply rows first", productWeights.size() - packedWeights.size(),
                        productWeights.size(), refused);
            }
            return true;
        } catch (RuntimeException e) {
            dropPackedProducts();
            throw e;
        } finally {
            CpuThreads.useOnThisThread(restore);
        }
    }

    /**
     * Whether {@code copy}, a packed copy of {@code weight}, multiplies random rows as rows first does:
     * at {@link #CHECKED_ROWS} rows, on the calling thread's one thread and on the parallel thread.
     */
    boolean packedAgrees(NDArray weight, NDArray copy) {
        return productsAgree(weight, copy)
                && (CpuThreads.parallelThreads() == 1 || CpuThreads.inParallel(() -> productsAgree(weight, copy)));
    }

    private boolean productsAgree(NDArray weight, NDArray copy) {
        try (NDScope ignored = new NDScope()) {
            for (long rows : CHECKED_ROWS) {
                NDArray x = manager.randomNormal(new Shape(rows, weight.getShape().get(1)));
                NDArray expected = rowsFirst(x, weight, null);
                NDArray error = expected.sub(products.call("packed", x, copy, NO_BIAS)).abs().max();
                if (!(error.getFloat() <= PACKED_TOLERANCE * expected.abs().max().getFloat())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Frees the packed copies when no range chose {@link ProductMethod#PACKED}: they would only hold memory. */
    public void dropUnusedPackedProducts() {
        for (ProductMethod[] byRows : productMethods) {
            if (Arrays.asList(byRows).contains(ProductMethod.PACKED)) {
                return;
            }
        }
        dropPackedProducts();
    }

    private void dropPackedProducts() {
        packedWeights.values().forEach(NDArray::close);
        packedWeights.clear();
        packsMade = false;
    }

    /** Bytes of the packed copies held beside the weights. */
    public long packedBytes() {
        return packedWeights.keySet().stream().mapToLong(NDArray::size).sum() * dtype.type().getNumOfBytes();
    }

    /** How products of {@code range}'s row counts multiply the weights on a CPU, on one thread or several; rows first until set. */
    public ProductMethod productMethod(ProductRows range, boolean parallel) {
        return productMethods[parallel ? 1 : 0][range.ordinal()];
    }

    /** Whether products of {@code rows} rows multiply the packed copy of the weights, which exists once {@link #packProducts} made it. */
    public boolean multipliesPacked(int rows, boolean parallel) {
        return !packedWeights.isEmpty() && productMethod(ProductRows.of(rows), parallel) == ProductMethod.PACKED;
    }

    /** Every range's method, by one thread (0) or several (1), then {@link ProductRows} ordinal; a copy. */
    public ProductMethod[][] productMethods() {
        return new ProductMethod[][] {productMethods[0].clone(), productMethods[1].clone()};
    }

    /** Sets every range's method at once, laid out as {@link #productMethods()} returns them. */
    public void productMethods(ProductMethod[][] methods) {
        productMethods = new ProductMethod[][] {methods[0].clone(), methods[1].clone()};
    }

    /**
     * Sets {@link #productMethod}: the worker times each range's choices on its host when it starts.
     * {@link ProductMethod#PACKED} multiplies rows first until {@link #packProducts} has run.
     */
    public void productMethod(ProductRows range, boolean parallel, ProductMethod method) {
        ProductMethod[][] next = {productMethods[0].clone(), productMethods[1].clone()};
        next[parallel ? 1 : 0][range.ordinal()] = method;
        productMethods = next;
    }

    /** Rows {@code ids} of {@code matrix} {@code [n, width]}: {@code [ids..., width]}, one embedding lookup. */
    protected static NDArray lookup(NDArray matrix, NDArray ids) {
        return matrix.getNDArrayInternal().embedding(ids, matrix, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * A fused projection's last axis split into consecutive groups of heads, each reshaped to
     * {@code [..., heads, headDim]}; one split, no copies until a reshape needs one.
     */
    protected static NDArray[] splitHeads(NDArray fused, int headDim, int... headCounts) {
        Shape lead = fused.getShape().slice(0, fused.getShape().dimension() - 1);
        long[] cuts = new long[headCounts.length - 1];
        long at = 0;
        for (int i = 0; i < cuts.length; i++) {
            at += (long) headCounts[i] * headDim;
            cuts[i] = at;
        }
        NDList parts = fused.split(cuts, fused.getShape().dimension() - 1);
        NDArray[] out = new NDArray[headCounts.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = parts.get(i).reshape(lead.addAll(new Shape(headCounts[i], headDim)));
        }
        return out;
    }

    private static int max(int[] values) {
        int m = Integer.MIN_VALUE;
        for (int v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Per-step tensors shared by all layers. */
    protected static final class StepTensors {
        final StepBatch batch;
        final NDArray tokenIds;
        final NDArray positions;
        final PagedAttention attention;
        final StepProfile profile;
        /** Rotary factors of this step's positions, for families that use them. */
        NDArray cos;
        NDArray sin;

        StepTensors(StepBatch batch, PagedKvCache cache, NDManager manager, StepProfile profile) {
            this.batch = batch;
            this.profile = profile;
            this.tokenIds = manager.create(toLong(batch.tokenIds()));
            this.positions = manager.create(toLong(batch.positions()));
            this.attention = new PagedAttention(batch, cache, manager);
        }

        private static long[] toLong(int[] values) {
            long[] out = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = values[i];
            }
            return out;
        }
    }

    @Override
    public void close() {
        dropPackedProducts();
        products.close();
        manager.close();
    }
}
