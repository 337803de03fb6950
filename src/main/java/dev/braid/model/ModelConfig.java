package dev.braid.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The architecture hyper-parameters of a checkpoint, normalised across the field names that
 * Llama-family and GPT-2 {@code config.json} files use. Construct one with {@link #load(Path)};
 * the canonical constructor does not re-validate so that tests and tools can build odd shapes.
 *
 * @param numKvHeads       key/value heads; equals {@code numHeads} unless the model uses GQA/MQA
 * @param ropeTheta        rotary base; meaningless for GPT-2, which uses learned positions
 * @param attentionBias    whether q/k/v projections carry biases (Qwen2 always, GPT-2 always)
 * @param slidingWindow    attention window in tokens, or {@code null} for full attention
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        int maxPositionEmbeddings,
        float normEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean attentionBias,
        boolean mlpBias,
        boolean tieWordEmbeddings,
        String hiddenAct,
        Integer slidingWindow) {

    public static final String FILE_NAME = "config.json";

    public ModelConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(ropeScaling, "ropeScaling");
        Objects.requireNonNull(hiddenAct, "hiddenAct");
    }

    /** Reads and validates {@code config.json} in a Hugging Face model folder. */
    public static ModelConfig load(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + ": model folder does not exist");
        }
        return ModelConfigParser.parse(folder.resolve(FILE_NAME));
    }
}
