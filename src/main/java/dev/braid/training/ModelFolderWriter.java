package dev.braid.training;

import ai.djl.ndarray.NDArray;
import dev.braid.model.ByteLevelTokenizerJson;
import dev.braid.model.Checkpoint;
import dev.braid.model.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Writes a Hugging Face model folder for one of Braid's own Llama models. */
final class ModelFolderWriter {

    private ModelFolderWriter() {
    }

    /** config.json, generation_config.json, tokenizer.json and tokenizer_config.json. */
    static void writeMetadata(Path folder, Recipe recipe, BpeTrainer.Vocabulary vocabulary) throws IOException {
        Files.createDirectories(folder);
        JsonMapper mapper = JsonMapper.shared();
        ObjectNode config = mapper.createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama");
        config.put("vocab_size", recipe.vocabSize());
        config.put("hidden_size", recipe.hiddenSize());
        config.put("intermediate_size", recipe.intermediateSize());
        config.put("num_hidden_layers", recipe.numLayers());
        config.put("num_attention_heads", recipe.numHeads());
        config.put("num_key_value_heads", recipe.numKvHeads());
        config.put("head_dim", recipe.hiddenSize() / recipe.numHeads());
        config.put("hidden_act", "silu");
        config.put("max_position_embeddings", recipe.maxPositionEmbeddings());
        config.put("rms_norm_eps", 1e-5);
        config.putObject("rope_parameters").put("rope_theta", 10000.0).put("rope_type", "default");
        config.put("attention_bias", false);
        config.put("mlp_bias", false);
        config.put("tie_word_embeddings", false);
        config.put("eos_token_id", ChatFormat.END_ID);
        config.put("torch_dtype", "float32");
        config.put("braid_recipe", recipe.name());
        write(folder.resolve("config.json"), config);

        ObjectNode generation = mapper.createObjectNode();
        generation.putArray("eos_token_id").add(ChatFormat.END_ID).add(ChatFormat.END_OF_TEXT_ID);
        // the default a request without temperature gets: models this small answer best greedily
        // (sampled text is often broken); do_sample says the same to Hugging Face's generate()
        generation.put("do_sample", false);
        generation.put("temperature", 0.0);
        write(folder.resolve("generation_config.json"), generation);

        write(folder.resolve("tokenizer.json"), ByteLevelTokenizerJson.build(
                vocabulary.specialTokens(), vocabulary.mergedTokens(), vocabulary.merges()));

        ObjectNode tokenizerConfig = mapper.createObjectNode();
        tokenizerConfig.put("tokenizer_class", "PreTrainedTokenizerFast");
        tokenizerConfig.put("eos_token", ChatFormat.END);
        tokenizerConfig.put("model_max_length", recipe.maxPositionEmbeddings());
        tokenizerConfig.put("clean_up_tokenization_spaces", false);
        tokenizerConfig.put("chat_template", ChatFormat.JINJA_TEMPLATE);
        write(folder.resolve("tokenizer_config.json"), tokenizerConfig);
    }

    /** The weights, from the model's Hugging Face view of its tensors. */
    static void writeWeights(Path folder, Map<String, NDArray> tensors) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, array) -> shapes.put(name, array.getShape().getShape()));
        SafetensorsWriter.write(folder.resolve(Checkpoint.SINGLE_FILE), shapes, (name, shape) -> tensors.get(name).toFloatArray());
    }

    private static void write(Path file, ObjectNode node) throws IOException {
        Files.write(file, JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }
}
