package dev.braid.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.braid.kv.PagedKvCache;

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
    private final float scale;

    public LlamaTransformer(ModelConfig config, Checkpoint checkpoint, Device device) {
        super(config, device);
        embedTokens = weight(checkpoint, "model.embed_tokens.weight");
        finalNorm = weight(checkpoint, "model.norm.weight");
        lmHead = config.tieWordEmbeddings() || !checkpoint.has("lm_head.weight")
                ? embedTokens : weight(checkpoint, "lm_head.weight");
        layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    weight(checkpoint, p + "input_layernorm.weight"),
                    fuse(checkpoint, p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"),
                    fuse(checkpoint, p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias"),
                    weight(checkpoint, p + "self_attn.o_proj.weight"),
                    optional(checkpoint, p + "self_attn.o_proj.bias"),
                    weight(checkpoint, p + "post_attention_layernorm.weight"),
                    fuse(checkpoint, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"),
                    fuse(checkpoint, p + "mlp.gate_proj.bias", p + "mlp.up_proj.bias"),
                    weight(checkpoint, p + "mlp.down_proj.weight"),
                    optional(checkpoint, p + "mlp.down_proj.bias"));
        }
        float[][] table = rotaryTables(config);
        Shape shape = new Shape(config.maxPositionEmbeddings(), config.headDim());
        cosTable = manager.create(table[0], shape);
        sinTable = manager.create(table[1], shape);
        scale = (float) (1.0 / Math.sqrt(config.headDim()));
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
        return NDArrays.concat(parts, 0);
    }

    private NDArray optional(Checkpoint checkpoint, String name) {
        return checkpoint.has(name) ? weight(checkpoint, name) : null;
    }

    @Override
    protected NDArray embed(StepTensors step) {
        return embedTokens.get(new NDIndex("{}", step.tokenIds));
    }

    @Override
    protected NDArray block(int index, NDArray x, StepTensors step, PagedKvCache cache,
                            NDArray[] keys, NDArray[] values) {
        Layer layer = layers[index];
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int headDim = config.headDim();
        NDArray qkv = linear(rmsNorm(x, layer.inputNorm()), layer.qkv(), layer.qkvBias());
        NDArray cos = cosTable.get(new NDIndex("{}", step.positions)).expandDims(1);
        NDArray sin = sinTable.get(new NDIndex("{}", step.positions)).expandDims(1);
        NDArray q = rotate(heads(qkv, 0, heads, headDim), cos, sin).mul(scale);
        NDArray k = rotate(heads(qkv, heads, kvHeads, headDim), cos, sin);
        NDArray v = heads(qkv, heads + kvHeads, kvHeads, headDim);
        keys[index] = k;
        values[index] = v;
        NDArray attended = step.attention.attend(q, k, v, cache, index);
        NDArray h = x.add(linear(attended, layer.out(), layer.outBias()));
        NDArray gateUp = linear(rmsNorm(h, layer.postNorm()), layer.gateUp(), layer.gateUpBias());
        long intermediate = gateUp.getShape().get(1) / 2;
        NDArray gate = gateUp.get(":, :" + intermediate);
        NDArray up = gateUp.get(":, " + intermediate + ":");
        NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up);
        return h.add(linear(activated, layer.down(), layer.downBias()));
    }

    @Override
    protected NDArray head(NDArray hidden) {
        return linear(rmsNorm(hidden, finalNorm), lmHead, null);
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(config.normEps()).sqrt()).mul(weight);
    }

    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(2) / 2;
        NDArray first = x.get(":, :, :" + half);
        NDArray second = x.get(":, :, " + half + ":");
        NDArray rotated = second.neg().concat(first, 2);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
