package dev.braid.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Token ids and sampling defaults a checkpoint ships with. {@code generation_config.json} wins;
 * {@code config.json} supplies the token ids that older checkpoints keep there instead. The sampling
 * defaults fill what a request leaves out ({@link dev.braid.decoding.SamplingDefaults}); as in vLLM,
 * {@code do_sample} is read but does not make a model greedy (most checkpoints leave it false
 * while OpenAI-style servers sample): a greedy default is {@code "temperature": 0}.
 *
 * @param bosTokenId  {@code null} when the model has no beginning-of-sequence token
 * @param eosTokenIds every id that ends generation (Llama 3 instruct models list several)
 */
public record GenerationConfig(
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Double temperature,
        Double topP,
        Integer topK,
        Boolean doSample) {

    public static final String FILE_NAME = "generation_config.json";
    /** The highest temperature a request may ask for, as OpenAI's API allows. */
    public static final double MAX_TEMPERATURE = 2;

    public GenerationConfig {
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    }

    public boolean isEos(int tokenId) {
        return eosTokenIds.contains(tokenId);
    }

    /** Both files are optional; a folder with neither yields no special tokens and no defaults. */
    public static GenerationConfig load(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + ": model folder does not exist");
        }
        JsonFields generation = readIfPresent(folder.resolve(FILE_NAME));
        JsonFields model = readIfPresent(folder.resolve(ModelConfig.FILE_NAME));
        JsonFields bosSource = pick(generation, model, "bos_token_id");
        JsonFields eosSource = pick(generation, model, "eos_token_id");
        Integer bos = bosSource == null ? null : bosSource.intOrNull("bos_token_id");
        List<Integer> eos = eosSource == null ? List.of() : eosSource.intListOrEmpty("eos_token_id");
        if (generation == null) {
            return new GenerationConfig(bos, eos, null, null, null, null);
        }
        // bounded as a request's own values are, so a model's default never fails the request it fills
        Double temperature = generation.doubleOrNull("temperature");
        if (temperature != null && !(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw generation.error("temperature", "must be between 0 and " + (int) MAX_TEMPERATURE + " (got " + temperature + ")");
        }
        Double topP = generation.doubleOrNull("top_p");
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw generation.error("top_p", "must be in (0, 1] (got " + topP + ")");
        }
        Integer topK = generation.intOrNull("top_k");
        if (topK != null && topK < -1) {
            throw generation.error("top_k", "must be 0 or -1 (off) or positive (got " + topK + ")");
        }
        return new GenerationConfig(bos, eos, temperature, topP, topK, generation.booleanOrNull("do_sample"));
    }

    private static JsonFields pick(JsonFields generation, JsonFields model, String field) {
        if (generation != null && generation.has(field)) {
            return generation;
        }
        return model != null && model.has(field) ? model : null;
    }

    private static JsonFields readIfPresent(Path file) {
        return Files.isRegularFile(file) ? JsonFields.read(file) : null;
    }
}
