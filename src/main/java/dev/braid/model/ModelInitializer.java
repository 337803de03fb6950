package dev.braid.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes randomly initialised Llama checkpoints in Hugging Face layout, so that throughput can be
 * benchmarked at sizes no fixture covers. The output loads through the same path as downloaded
 * models ({@link ModelConfig}, {@link Checkpoint}, DJL's tokenizer), which keeps benchmarks honest.
 */
public final class ModelInitializer {

    static final int BOS_TOKEN_ID = 1;
    static final int EOS_TOKEN_ID = 2;
    static final double INIT_STD = 0.02;
    static final double RMS_NORM_EPS = 1e-5;
    static final double ROPE_THETA = 10_000.0;

    private ModelInitializer() {
    }

    /**
     * Creates {@code folder} if needed and writes {@code config.json}, {@code generation_config.json},
     * {@code model.safetensors}, {@code tokenizer.json} and {@code tokenizer_config.json}. The same
     * seed always produces the same weights; each tensor draws from its own stream keyed by name, so
     * changing the layer count does not reshuffle the other tensors.
     *
     * @throws java.io.UncheckedIOException if a file cannot be written
     */
    public static void writeRandomLlama(Path folder, RandomLlamaSpec spec, long seed) {
        writeRandomWeights(folder.resolve(Checkpoint.SINGLE_FILE), spec, seed);
        writeJson(folder.resolve(ModelConfig.FILE_NAME), config(spec));
        writeJson(folder.resolve(GenerationConfig.FILE_NAME), generationConfig());
        writeJson(folder.resolve("tokenizer.json"), ByteLevelTokenizerJson.build());
        writeJson(folder.resolve(TokenizerConfig.FILE_NAME), tokenizerConfig(spec));
    }

    /** Only the weights: normal(0, 0.02) matrices and unit norms, as the trainer starts from. */
    public static void writeRandomWeights(Path file, RandomLlamaSpec spec, long seed) {
        SafetensorsWriter.write(file, shapes(spec), (name, shape) -> values(name, shape, seed));
    }

    /** Hugging Face names and [out_features, in_features] layout, in the order HF itself writes. */
    static Map<String, long[]> shapes(RandomLlamaSpec spec) {
        long h = spec.hiddenSize();
        long kv = (long) spec.numKvHeads() * spec.headDim();
        long inter = spec.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {spec.vocabSize(), h});
        for (int i = 0; i < spec.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {h});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {h, h});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {h, h});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {h});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {inter, h});
            shapes.put(p + "mlp.up_proj.weight", new long[] {inter, h});
            shapes.put(p + "mlp.down_proj.weight", new long[] {h, inter});
        }
        shapes.put("model.norm.weight", new long[] {h});
        shapes.put("lm_head.weight", new long[] {spec.vocabSize(), h});
        return shapes;
    }

    private static float[] values(String name, long[] shape, long seed) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] values = new float[Math.toIntExact(n)];
        if (name.endsWith("norm.weight")) {
            Arrays.fill(values, 1.0f);
            return values;
        }
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * name.hashCode()));
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * INIT_STD);
        }
        return values;
    }

    private static ObjectNode config(RandomLlamaSpec spec) {
        ObjectNode config = JsonMapper.shared().createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama");
        config.put("vocab_size", spec.vocabSize());
        config.put("hidden_size", spec.hiddenSize());
        config.put("intermediate_size", spec.intermediateSize());
        config.put("num_hidden_layers", spec.numLayers());
        config.put("num_attention_heads", spec.numHeads());
        config.put("num_key_value_heads", spec.numKvHeads());
        config.put("head_dim", spec.headDim());
        config.put("hidden_act", "silu");
        config.put("max_position_embeddings", spec.maxPositionEmbeddings());
        config.put("rms_norm_eps", RMS_NORM_EPS);
        config.putObject("rope_parameters")
                .put("rope_theta", ROPE_THETA)
                .put("rope_type", RopeScaling.Type.DEFAULT.hfName());
        config.put("attention_bias", false);
        config.put("mlp_bias", false);
        config.put("tie_word_embeddings", false);
        config.put("bos_token_id", BOS_TOKEN_ID);
        config.put("eos_token_id", EOS_TOKEN_ID);
        config.put("torch_dtype", "float32");
        config.put("dtype", "float32");
        return config;
    }

    private static ObjectNode generationConfig() {
        ObjectNode config = JsonMapper.shared().createObjectNode();
        config.put("bos_token_id", BOS_TOKEN_ID);
        config.put("eos_token_id", EOS_TOKEN_ID);
        return config;
    }

    /** Cleanup of tokenization spaces is off: it would rewrite " ," into "," and break round trips. */
    private static ObjectNode tokenizerConfig(RandomLlamaSpec spec) {
        ObjectNode config = JsonMapper.shared().createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", ByteLevelTokenizerJson.SPECIAL_TOKENS.get(BOS_TOKEN_ID));
        config.put("eos_token", ByteLevelTokenizerJson.SPECIAL_TOKENS.get(EOS_TOKEN_ID));
        config.put("model_max_length", spec.maxPositionEmbeddings());
        config.put("clean_up_tokenization_spaces", false);
        return config;
    }

    private static void writeJson(Path file, ObjectNode node) {
        AtomicFiles.write(file, JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }
}
