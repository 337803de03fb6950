package dev.braid.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.braid.kv.PagedKvCache;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Llama family (Llama 2/3, Mistral, Qwen2): RMSNorm, rotary positions, SwiGLU MLP and
 * grouped-query attention, with optional q/k/v/o and MLP biases. Q/K/V and gate/up projections are
 * fused at load so each block runs four matrix products.
 */
public final class LlamaTransformer extends Transformer {

    private record Layer(NDArray inputNorm, NDArray qkv, NDArray qkvBias, NDArray out, NDArray outBias,
                         NDArray postNorm, NDArray gateUp, NDArray gateUpBias, NDArray down, NDArray downBias) {
    }

    private final NDArray embedTokens;
    private final NDArray finalNorm;
    private final NDArray lmHead;
    private final Layer[] layers;
    private final NDArray cosTable;
    private final NDArray sinTable;
    /** {@code [heads + 2 kvHeads, 1]}: the attention scale on query heads, 1 on key heads, 0 on value heads. */
    private final NDArray cosScale;
    /** {@code [heads + 2 kvHeads, 1]}: 1 on value heads, 0 on the others, so value heads' cos factor is 1 at every position. */
    private final NDArray cosOffset;
    /**
     * {@code [heads + 2 kvHeads, headDim]}: {@link #cosScale} negated on the first half of each query
     * and key head; 0 on value heads, which the rotation leaves as they are.
     */
    private final NDArray sinScale;
    /** {@code [headDim, headDim]}: a head times it is the head with its halves swapped. */
    private final NDArray swapHalves;
    /** The norms' epsilon as a tensor: a Java number in an operation becomes a new native tensor each call. */
    private final NDArray epsilon;

    public LlamaTransformer(ModelConfig config, Checkpoint checkpoint, Device device, WeightDtype dtype) {
        super(config, device, dtype);
        embedTokens = weight(checkpoint, "model.embed_tokens.weight");
        finalNorm = weight(checkpoint, "model.norm.weight");
        lmHead = config.tieWordEmbeddings() || !checkpoint.has("lm_head.weight")
                ? embedTokens : product(weight(checkpoint, "lm_head.weight"));
        if (lmHead != embedTokens) {
            lookupOnly(embedTokens);
        }
        layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    weight(checkpoint, p + "input_layernorm.weight"),
                    product(fuse(checkpoint, p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight")),
                    product(fuse(checkpoint, p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias")),
                    product(weight(checkpoint, p + "self_attn.o_proj.weight")),
                    product(optional(checkpoint, p + "self_attn.o_proj.bias")),
                    weight(checkpoint, p + "post_attention_layernorm.weight"),
                    product(fuse(checkpoint, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight")),
                    product(fuse(checkpoint, p + "mlp.gate_proj.bias", p + "mlp.up_proj.bias")),
                    product(weight(checkpoint, p + "mlp.down_proj.weight")),
                    product(optional(checkpoint, p + "mlp.down_proj.bias")));
        }
        float[][] table = rotaryTables(config);
        Shape shape = new Shape(config.maxPositionEmbeddings(), config.headDim());
        cosTable = manager.create(table[0], shape);
        sinTable = manager.create(table[1], shape);
        float[][] scales = rotaryScales(config);
        cosScale = manager.create(scales[0], new Shape(scales[0].length, 1));
        cosOffset = manager.create(scales[2], new Shape(scales[2].length, 1));
        sinScale = manager.create(scales[1], new Shape(scales[0].length, config.headDim()));
        swapHalves = manager.create(swapHalves(config.headDim()), new Shape(config.headDim(), config.headDim()));
        epsilon = manager.create(config.normEps());
    }

    /**
     * Per-head factors that fold the attention scale and rotate-half's sign into the rotary tables,
     * so a layer rotates queries and keys with three products and a sum over the whole fused
     * projection, with no split before it: a value head's factors are cos 0 · table + 1 and sin 0,
     * which leave it exactly as it is. Returns the cos scales, the sin scales and the cos offsets.
     */
    private static float[][] rotaryScales(ModelConfig config) {
        int rotated = config.numHeads() + config.numKvHeads();
        int heads = rotated + config.numKvHeads();
        int dim = config.headDim();
        float attention = (float) (1.0 / Math.sqrt(dim));
        float[] cos = new float[heads];
        float[] sin = new float[heads * dim];
        float[] offset = new float[heads];
        for (int h = 0; h < heads; h++) {
            cos[h] = h < config.numHeads() ? attention : h < rotated ? 1f : 0f;
            offset[h] = h < rotated ? 0f : 1f;
            for (int i = 0; i < dim && h < rotated; i++) {
                sin[h * dim + i] = i < dim / 2 ? -cos[h] : cos[h];
            }
        }
        return new float[][] {cos, sin, offset};
    }

    /** The permutation matrix of rotate-half: entry (i, j) is 1 where i is j's partner in the other half. */
    private static float[] swapHalves(int dim) {
        float[] swap = new float[dim * dim];
        for (int i = 0; i < dim; i++) {
            swap[i * dim + (i + dim / 2) % dim] = 1f;
        }
        return swap;
    }

    /** {@code [..., heads + 2 kvHeads, headDim]} rotary factors of {@code positions}, scales folded in. */
    private NDArray[] rotaryFactors(NDArray positions) {
        NDArray cos = lookup(cosTable, positions);
        NDArray sin = lookup(sinTable, positions);
        int heads = cos.getShape().dimension() - 1;
        return new NDArray[] {cos.expandDims(heads).mul(cosScale).add(cosOffset), sin.expandDims(heads).mul(sinScale)};
    }

    /** HF's rotate-half layout: frequencies repeated over both halves of the head. */
    private static float[][] rotaryTables(ModelConfig config) {
        int dim = config.headDim();
        float[] inverse = config.ropeScaling().inverseFrequencies(dim, config.ropeTheta());
        int positions = config.maxPositionEmbeddings();
        float[] cos = new float[positions * dim];
        float[] sin = new float[positions * dim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < dim; i++) {
                float angle = (float) p * inverse[i % (dim / 2)];
                cos[p * dim + i] = (float) Math.cos(angle);
                sin[p * dim + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    private NDArray fuse(Checkpoint checkpoint, String... names) {
        if (!checkpoint.has(names[0])) {
            return null;
        }
        NDList parts = new NDList(names.length);
        for (String name : names) {
            parts.add(weight(checkpoint, name));
        }
        NDArray fused = NDArrays.concat(parts, 0);
        parts.close();
        return fused;
    }

    private NDArray optional(Checkpoint checkpoint, String name) {
        return checkpoint.has(name) ? weight(checkpoint, name) : null;
    }

    @Override
    protected NDArray embed(StepTensors step) {
        NDArray[] rotary = rotaryFactors(step.positions);
        step.cos = rotary[0];
        step.sin = rotary[1];
        return lookup(embedTokens, step.tokenIds);
    }

    @Override
    protected NDArray block(int index, NDArray x, StepTensors step, PagedKvCache cache,
                            NDArray[] keys, NDArray[] values) {
        NDArray[] qkv = project(layers[index], x, step.cos, step.sin);
        keys[index] = qkv[1];
        values[index] = qkv[2];
        step.profile.lap(StepProfile.Phase.PROJECT);
        NDArray attended = step.attention.attend(qkv[0], qkv[1], qkv[2], cache, index);
        step.profile.lap(StepProfile.Phase.ATTEND);
        NDArray out = finish(layers[index], x, attended);
        step.profile.lap(StepProfile.Phase.MLP);
        return out;
    }

    @Override
    protected NDArray head(NDArray hidden) {
        return linear(rmsNorm(hidden, finalNorm), lmHead, null);
    }

    /**
     * Training mode: whole sequences, no cache, any attention mask. The same weights and block as
     * serving, so what the trainer optimises is exactly what the engine runs.
     *
     * @param tokens    {@code [batch, length]} token ids
     * @param positions {@code [batch, length]} positions (packed or tree-shaped sequences restart them)
     * @param bias      {@code [batch, length, length]}: 0 where a query may see a key, a large negative otherwise
     * @return logits {@code [batch, length, vocab]}
     */
    public NDArray forwardTraining(NDArray tokens, NDArray positions, NDArray bias) {
        NDArray[] rotary = rotaryFactors(positions);
        NDArray cos = rotary[0];
        NDArray sin = rotary[1];
        NDArray x = lookup(embedTokens, tokens);
        long batch = tokens.getShape().get(0);
        long length = tokens.getShape().get(1);
        NDArray mask = bias.reshape(batch, 1, 1, length, length);
        for (Layer layer : layers) {
            NDArray[] qkv = project(layer, x, cos, sin);
            x = finish(layer, x, denseAttention(qkv[0], qkv[1], qkv[2], mask));
        }
        return head(x);
    }

    /** Every trainable tensor by a stable name; fused projections appear once, tied embeddings once. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("embed_tokens", embedTokens);
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            String p = "layers." + i + ".";
            putIfPresent(params, p + "input_norm", l.inputNorm());
            putIfPresent(params, p + "qkv", l.qkv());
            putIfPresent(params, p + "qkv_bias", l.qkvBias());
            putIfPresent(params, p + "out", l.out());
            putIfPresent(params, p + "out_bias", l.outBias());
            putIfPresent(params, p + "post_norm", l.postNorm());
            putIfPresent(params, p + "gate_up", l.gateUp());
            putIfPresent(params, p + "gate_up_bias", l.gateUpBias());
            putIfPresent(params, p + "down", l.down());
            putIfPresent(params, p + "down_bias", l.downBias());
        }
        params.put("norm", finalNorm);
        if (lmHead != embedTokens) {
            params.put("lm_head", lmHead);
        }
        return params;
    }

    /** The weights under their Hugging Face names, fused projections split again: what a checkpoint holds. */
    public Map<String, NDArray> huggingFaceTensors() {
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKvHeads() * config.headDim();
        long inter = config.intermediateSize();
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", embedTokens);
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            String p = "model.layers." + i + ".";
            out.put(p + "input_layernorm.weight", l.inputNorm());
            split(out, l.qkv(), new long[] {q, kv, kv}, p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight");
            if (l.qkvBias() != null) {
                split(out, l.qkvBias(), new long[] {q, kv, kv}, p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias");
            }
            out.put(p + "self_attn.o_proj.weight", l.out());
            putIfPresent(out, p + "self_attn.o_proj.bias", l.outBias());
            out.put(p + "post_attention_layernorm.weight", l.postNorm());
            split(out, l.gateUp(), new long[] {inter, inter}, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight");
            if (l.gateUpBias() != null) {
                split(out, l.gateUpBias(), new long[] {inter, inter}, p + "mlp.gate_proj.bias", p + "mlp.up_proj.bias");
            }
            out.put(p + "mlp.down_proj.weight", l.down());
            putIfPresent(out, p + "mlp.down_proj.bias", l.downBias());
        }
        out.put("model.norm.weight", finalNorm);
        if (lmHead != embedTokens) {
            out.put("lm_head.weight", lmHead);
        }
        return out;
    }

    private static void split(Map<String, NDArray> out, NDArray fused, long[] rows, String... names) {
        long from = 0;
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], fused.get(from + ":" + (from + rows[i])));
            from += rows[i];
        }
    }

    private static void putIfPresent(Map<String, NDArray> map, String name, NDArray array) {
        if (array != null) {
            map.put(name, array);
        }
    }

    /**
     * Scaled, rotated queries, rotated keys, and values, {@code [..., heads, headDim]}. The fused
     * projection rotates as one tensor, {@code x * cos + (x · swapHalves) * sin}, with the rotate-half
     * sign and the queries' scale in the factors ({@link #rotaryFactors}); value heads have cos 1 and
     * sin 0, so they come out exactly as they went in, and one split at the end parts the three.
     */
    private NDArray[] project(Layer layer, NDArray x, NDArray cos, NDArray sin) {
        int heads = config.numHeads();
        int headDim = config.headDim();
        NDArray qkv = linear(rmsNorm(x, layer.inputNorm()), layer.qkv(), layer.qkvBias());
        Shape lead = qkv.getShape().slice(0, qkv.getShape().dimension() - 1);
        NDArray all = qkv.reshape(lead.addAll(new Shape(heads + 2L * config.numKvHeads(), headDim)));
        NDList parts = all.mul(cos).add(all.matMul(swapHalves).mul(sin))
                .split(new long[] {heads, heads + config.numKvHeads()}, lead.dimension());
        return new NDArray[] {parts.get(0), parts.get(1), parts.get(2)};
    }

    /** Output projection, residual, SwiGLU MLP, residual. */
    private NDArray finish(Layer layer, NDArray x, NDArray attended) {
        NDArray h = x.add(linear(attended, layer.out(), layer.outBias()));
        NDArray gateUp = linear(rmsNorm(h, layer.postNorm()), layer.gateUp(), layer.gateUpBias());
        long intermediate = gateUp.getShape().get(gateUp.getShape().dimension() - 1) / 2;
        NDList gateAndUp = gateUp.split(new long[] {intermediate}, gateUp.getShape().dimension() - 1);
        NDArray gate = gateAndUp.get(0);
        NDArray up = gateAndUp.get(1);
        NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up);
        return h.add(linear(activated, layer.down(), layer.downBias()));
    }

    /** {@code q [B, L, heads, d]}, {@code k, v [B, L, kvHeads, d]}, mask {@code [B, 1, 1, L, L]} -> {@code [B, L, heads * d]}. */
    private static NDArray denseAttention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        Shape shape = q.getShape();
        long b = shape.get(0);
        long len = shape.get(1);
        long heads = shape.get(2);
        long headDim = shape.get(3);
        long kvHeads = k.getShape().get(2);
        long rep = heads / kvHeads;
        NDArray qg = q.reshape(b, len, kvHeads, rep, headDim).transpose(0, 2, 3, 1, 4).reshape(b, kvHeads, rep * len, headDim);
        NDArray kg = k.transpose(0, 2, 1, 3);
        NDArray vg = v.transpose(0, 2, 1, 3);
        NDArray probs = qg.matMul(kg.transpose(0, 1, 3, 2))
                .reshape(b, kvHeads, rep, len, len)
                .add(mask)
                .softmax(-1)
                .reshape(b, kvHeads, rep * len, len);
        return probs.matMul(vg).reshape(b, kvHeads, rep, len, headDim)
                .transpose(0, 3, 1, 2, 4)
                .reshape(b, len, heads * headDim);
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(epsilon).sqrt()).mul(weight);
    }
}
