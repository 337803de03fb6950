package dev.braid.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.braid.kv.PagedKvCache;

/**
 * GPT-2: LayerNorm, learned positions, tanh-approximated GELU, tied embeddings. Its Conv1D weights
 * are stored {@code [in, out]}; they are transposed once at load to the linear layout.
 */
public final class Gpt2Transformer extends Transformer {

    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);

    private record Layer(NDArray norm1, NDArray norm1Bias, NDArray qkv, NDArray qkvBias, NDArray proj,
                         NDArray projBias, NDArray norm2, NDArray norm2Bias, NDArray fc, NDArray fcBias,
                         NDArray fcProj, NDArray fcProjBias) {
    }

    private final String prefix;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final NDArray finalNorm;
    private final NDArray finalNormBias;
    private final NDArray lmHead;
    private final Layer[] layers;
    private final float scale;

    public Gpt2Transformer(ModelConfig config, Checkpoint checkpoint, Device device, WeightDtype dtype) {
        super(config, device, dtype);
        prefix = checkpoint.has("transformer.wte.weight") ? "transformer." : "";
        tokenEmbedding = weight(checkpoint, prefix + "wte.weight");
        positionEmbedding = weight(checkpoint, prefix + "wpe.weight");
        finalNorm = weight(checkpoint, prefix + "ln_f.weight");
        finalNormBias = weight(checkpoint, prefix + "ln_f.bias");
        lmHead = checkpoint.has("lm_head.weight") && !config.tieWordEmbeddings()
                ? product(weight(checkpoint, "lm_head.weight")) : tokenEmbedding;
        lookupOnly(positionEmbedding);
        if (lmHead != tokenEmbedding) {
            lookupOnly(tokenEmbedding);
        }
        layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = prefix + "h." + i + ".";
            layers[i] = new Layer(
                    weight(checkpoint, p + "ln_1.weight"), weight(checkpoint, p + "ln_1.bias"),
                    conv1d(checkpoint, p + "attn.c_attn.weight"), product(weight(checkpoint, p + "attn.c_attn.bias")),
                    conv1d(checkpoint, p + "attn.c_proj.weight"), product(weight(checkpoint, p + "attn.c_proj.bias")),
                    weight(checkpoint, p + "ln_2.weight"), weight(checkpoint, p + "ln_2.bias"),
                    conv1d(checkpoint, p + "mlp.c_fc.weight"), product(weight(checkpoint, p + "mlp.c_fc.bias")),
                    conv1d(checkpoint, p + "mlp.c_proj.weight"), product(weight(checkpoint, p + "mlp.c_proj.bias")));
        }
        scale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

    private NDArray conv1d(Checkpoint checkpoint, String name) {
        NDArray stored = weight(checkpoint, name);
        NDArray linear = stored.transpose().duplicate();
        stored.close();
        return product(linear);
    }

    @Override
    protected NDArray embed(StepTensors step) {
        return lookup(tokenEmbedding, step.tokenIds).add(lookup(positionEmbedding, step.positions));
    }

    @Override
    protected NDArray block(int index, NDArray x, StepTensors step, PagedKvCache cache,
                            NDArray[] keys, NDArray[] values) {
        Layer layer = layers[index];
        int heads = config.numHeads();
        int headDim = config.headDim();
        NDArray qkv = linear(layerNorm(x, layer.norm1(), layer.norm1Bias()), layer.qkv(), layer.qkvBias());
        NDArray[] split = splitHeads(qkv, headDim, heads, heads, heads);
        NDArray q = split[0].mul(scale);
        NDArray k = split[1];
        NDArray v = split[2];
        keys[index] = k;
        values[index] = v;
        step.profile.lap(StepProfile.Phase.PROJECT);
        NDArray attended = step.attention.attend(q, k, v, cache, index);
        step.profile.lap(StepProfile.Phase.ATTEND);
        NDArray h = x.add(linear(attended, layer.proj(), layer.projBias()));
        NDArray inner = gelu(linear(layerNorm(h, layer.norm2(), layer.norm2Bias()), layer.fc(), layer.fcBias()));
        NDArray out = h.add(linear(inner, layer.fcProj(), layer.fcProjBias()));
        step.profile.lap(StepProfile.Phase.MLP);
        return out;
    }

    @Override
    protected NDArray head(NDArray hidden) {
        return linear(layerNorm(hidden, finalNorm, finalNormBias), lmHead, null);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(x.getShape().get(1)), weight, bias, config.normEps())
                .singletonOrThrow();
    }

    /** The tanh approximation GPT-2 was trained with ({@code gelu_new}). */
    private static NDArray gelu(NDArray x) {
        NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul(GELU_C).tanh();
        return x.mul(inner.add(1f)).mul(0.5f);
    }
}
