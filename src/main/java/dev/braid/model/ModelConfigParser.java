package dev.braid.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/** Turns a {@code config.json} into a {@link ModelConfig}, validating with HF field names. */
final class ModelConfigParser {

    private static final Map<String, Architecture> MODEL_TYPES = Map.of(
            "llama", Architecture.LLAMA,
            "mistral", Architecture.LLAMA,
            "qwen2", Architecture.LLAMA,
            "gpt2", Architecture.GPT2);

    private static final Set<String> GPT2_ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh");

    private ModelConfigParser() {
    }

    static ModelConfig parse(Path file) {
        JsonFields config = JsonFields.read(file);
        String hfName = architectureName(config);
        Architecture architecture = Architecture.fromHfName(hfName).orElseThrow();
        return switch (architecture) {
            case LLAMA -> llama(config, hfName);
            case GPT2 -> gpt2(config);
        };
    }

    /**
     * The first supported entry of {@code architectures}; configs without that list fall back to
     * {@code model_type}, which some conversion scripts write on its own.
     */
    private static String architectureName(JsonFields config) {
        if (!config.has("architectures")) {
            String modelType = config.stringOr("model_type", null);
            if (modelType == null) {
                throw config.missing("architectures");
            }
            Architecture fallback = MODEL_TYPES.get(modelType);
            if (fallback == null) {
                throw config.error("model_type", "is \"" + modelType + "\", which is not supported (supported: "
                        + String.join(", ", MODEL_TYPES.keySet().stream().sorted().toList()) + ")");
            }
            return switch (modelType) {
                case "mistral" -> "MistralForCausalLM";
                case "qwen2" -> "Qwen2ForCausalLM";
                default -> fallback.hfNames().get(0);
            };
        }
        JsonNode list = config.node().get("architectures");
        if (!list.isArray() || list.isEmpty()) {
            throw config.error("architectures", "must be a non-empty list of class names");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode entry : list) {
            if (!entry.isString()) {
                throw config.error("architectures", "must contain only strings (got " + entry + ")");
            }
            names.add(entry.stringValue());
        }
        return names.stream()
                .filter(name -> Architecture.fromHfName(name).isPresent())
                .findFirst()
                .orElseThrow(() -> new ModelLoadException(config.file() + ": architecture \"" + names.get(0)
                        + "\" in field \"architectures\" is not supported (supported: "
                        + Architecture.supportedNames() + ")"));
    }

    private static ModelConfig llama(JsonFields config, String hfName) {
        boolean qwen2 = hfName.equals("Qwen2ForCausalLM");
        int vocab = positive(config, "vocab_size");
        int hidden = positive(config, "hidden_size");
        int layers = positive(config, "num_hidden_layers");
        int heads = positive(config, "num_attention_heads");
        int kvHeads = config.has("num_key_value_heads") ? positive(config, "num_key_value_heads") : heads;
        int intermediate = positive(config, "intermediate_size");
        int maxPositions = positive(config, "max_position_embeddings");
        checkDivides(config, "hidden_size", hidden, "num_attention_heads", heads);
        checkDivides(config, "num_attention_heads", heads, "num_key_value_heads", kvHeads);
        int headDim = config.has("head_dim") ? positive(config, "head_dim") : hidden / heads;
        if (headDim % 2 != 0) {
            throw config.error(config.has("head_dim") ? "head_dim" : "hidden_size",
                    "gives an odd head dimension (" + headDim + "), which rotary embeddings cannot pair up");
        }
        String act = config.stringOr("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw config.error("hidden_act", "is \"" + act + "\", but " + hfName + " requires \"silu\"");
        }
        RopeSettings rope = RopeSettings.parse(config);
        return new ModelConfig(
                Architecture.LLAMA, vocab, hidden, layers, heads, kvHeads, headDim, intermediate, maxPositions,
                normEps(config, "rms_norm_eps", 1e-6),
                rope.theta(), rope.scaling(),
                qwen2 || config.booleanOr("attention_bias", false),
                config.booleanOr("mlp_bias", false),
                config.booleanOr("tie_word_embeddings", false),
                act,
                slidingWindow(config, hfName));
    }

    /** Qwen2 configs carry a window size even when {@code use_sliding_window} switches it off. */
    private static Integer slidingWindow(JsonFields config, String hfName) {
        boolean enabled = switch (hfName) {
            case "MistralForCausalLM" -> true;
            case "Qwen2ForCausalLM" -> config.booleanOr("use_sliding_window", false);
            default -> false;
        };
        if (!enabled || !config.has("sliding_window")) {
            return null;
        }
        return positive(config, "sliding_window");
    }

    private static ModelConfig gpt2(JsonFields config) {
        int vocab = positive(config, "vocab_size");
        int hidden = positive(config, alias(config, "n_embd", "hidden_size"));
        int layers = positive(config, alias(config, "n_layer", "num_hidden_layers"));
        int heads = positive(config, alias(config, "n_head", "num_attention_heads"));
        int maxPositions = positive(config, alias(config, "n_positions", "max_position_embeddings"));
        checkDivides(config, alias(config, "n_embd", "hidden_size"), hidden,
                alias(config, "n_head", "num_attention_heads"), heads);
        int intermediate = config.has("n_inner") ? positive(config, "n_inner") : 4 * hidden;
        String act = config.stringOr("activation_function", "gelu_new");
        if (!GPT2_ACTIVATIONS.contains(act)) {
            throw config.error("activation_function",
                    "is \"" + act + "\", but GPT2LMHeadModel requires \"gelu_new\" or \"gelu_pytorch_tanh\"");
        }
        return new ModelConfig(
                Architecture.GPT2, vocab, hidden, layers, heads, heads, hidden / heads, intermediate, maxPositions,
                normEps(config, "layer_norm_epsilon", 1e-5),
                RopeSettings.DEFAULT_THETA, RopeScaling.none(),
                true, true,
                config.booleanOr("tie_word_embeddings", true),
                act,
                null);
    }

    /** GPT-2 configs use short names; a few converted ones use the generic long names instead. */
    private static String alias(JsonFields config, String name, String alternative) {
        return !config.has(name) && config.has(alternative) ? alternative : name;
    }

    private static int positive(JsonFields config, String name) {
        int value = config.requireInt(name);
        if (value <= 0) {
            throw config.error(name, "must be positive (got " + value + ")");
        }
        return value;
    }

    private static void checkDivides(JsonFields config, String name, int value, String divisorName, int divisor) {
        if (value % divisor != 0) {
            throw config.error(name, "(" + value + ") must be divisible by \"" + divisorName + "\" (" + divisor + ")");
        }
    }

    private static float normEps(JsonFields config, String name, double fallback) {
        double eps = config.doubleOr(name, fallback);
        if (!(eps > 0) || eps >= 1) {
            throw config.error(name, "must be a small positive number (got " + eps + ")");
        }
        return (float) eps;
    }
}
