package dev.braid.model;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face model folder loaded for serving: its configuration, tokenizer and weights on one
 * device.
 */
public record LoadedModel(String name, Path folder, ModelConfig config, GenerationConfig generation,
                          TokenizerConfig tokenizerConfig, TextTokenizer tokenizer, Transformer transformer)
        implements AutoCloseable {

    public static LoadedModel load(Path folder, Device device) {
        return load(folder, device, WeightDtype.FLOAT32);
    }

    /** The model with its weight matrices in {@code dtype} ({@link WeightDtype}). */
    public static LoadedModel load(Path folder, Device device, WeightDtype dtype) {
        return load(folder, device, new DtypeChoice(dtype));
    }

    /**
     * The model with its weight matrices in the precision {@code dtype} chooses for its checkpoint and
     * device, loaded on the calling thread, which it leaves on one CPU thread ({@link CpuThreads#stayOnOneThread}).
     */
    public static LoadedModel load(Path folder, Device device, DtypeChoice dtype) {
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + ": model folder does not exist");
        }
        CpuThreads.stayOnOneThread();
        ModelConfig config = ModelConfig.load(folder);
        GenerationConfig generation = GenerationConfig.load(folder);
        TokenizerConfig tokenizerConfig = TokenizerConfig.load(folder);
        TextTokenizer tokenizer = TextTokenizer.load(folder);
        try (Checkpoint checkpoint = Checkpoint.open(folder)) {
            WeightDtype held = dtype.resolve(checkpoint, device);
            Transformer transformer = switch (config.architecture()) {
                case LLAMA -> new LlamaTransformer(config, checkpoint, device, held);
                case GPT2 -> new Gpt2Transformer(config, checkpoint, device, held);
            };
            Path name = folder.toAbsolutePath().normalize().getFileName();
            return new LoadedModel(name == null ? folder.toString() : name.toString(), folder, config, generation,
                    tokenizerConfig, tokenizer, transformer);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    @Override
    public void close() {
        transformer.close();
        tokenizer.close();
    }
}
