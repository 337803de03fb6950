package dev.braid.training;

import java.util.List;
import java.util.Locale;

/**
 * Everything that defines a training run. The named recipes reproduce the bundled models.
 *
 * @param sequenceLength tokens per packed training row
 * @param batchRows      rows per optimiser step
 */
public record Recipe(String name, int vocabSize, int hiddenSize, int numLayers, int numHeads, int numKvHeads,
                     int intermediateSize, int maxPositionEmbeddings, int sequenceLength, int batchRows, int steps,
                     double learningRate, int warmupSteps, double weightDecay, double gradientClip, int evalEvery,
                     int checkpointEvery, int corpusExamples, long seed) {

    public Recipe {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_layers", numLayers);
        positive("num_heads", numHeads);
        positive("num_kv_heads", numKvHeads);
        positive("intermediate_size", intermediateSize);
        positive("sequence_length", sequenceLength);
        positive("batch_rows", batchRows);
        positive("steps", steps);
        positive("eval_every", evalEvery);
        positive("checkpoint_every", checkpointEvery);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible by num_heads " + numHeads);
        }
        if ((hiddenSize / numHeads) % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + hiddenSize / numHeads + " must be even for rotary positions");
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_heads " + numHeads + " is not divisible by num_kv_heads " + numKvHeads);
        }
        if (sequenceLength > maxPositionEmbeddings) {
            throw new IllegalArgumentException("sequence_length " + sequenceLength + " exceeds max_position_embeddings "
                    + maxPositionEmbeddings);
        }
        if (vocabSize < ChatFormat.SPECIAL_TOKENS.size() + 256 + 1) {
            throw new IllegalArgumentException("vocab_size " + vocabSize + " cannot hold the special tokens, 256 bytes and any merge");
        }
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("learning_rate must be in (0, 1), got " + learningRate);
        }
        if (warmupSteps < 0 || warmupSteps >= steps) {
            throw new IllegalArgumentException("warmup_steps must be in [0, steps), got " + warmupSteps);
        }
        if (corpusExamples < 20) {
            throw new IllegalArgumentException("corpus_examples must be at least 20, got " + corpusExamples);
        }
    }

    /** braid-base: about 5.5M parameters, the instruction model every strategy starts from. */
    public static final Recipe BASE = new Recipe("braid-base", 2048, 256, 6, 4, 4, 704, 512, 256, 8, 800,
            3e-3, 40, 0.05, 1.0, 100, 100, 12_000, 7);

    /** braid-draft: about 1M parameters, same tokenizer, for easy SGD nodes and drafting. */
    public static final Recipe DRAFT = new Recipe("braid-draft", 2048, 128, 3, 2, 2, 352, 512, 256, 8, 800,
            4e-3, 40, 0.05, 1.0, 100, 100, 12_000, 7);

    /** A few-second run for tests. */
    public static final Recipe TINY = new Recipe("tiny", 300, 32, 2, 2, 1, 64, 128, 64, 4, 30,
            1e-2, 3, 0.0, 1.0, 10, 10, 200, 3);

    /** The names {@link #named} knows, as {@code train --recipe} takes them. */
    public static final List<String> NAMES = List.of("base", "draft", "tiny");

    public static Recipe named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "base" -> BASE;
            case "draft" -> DRAFT;
            case "tiny" -> TINY;
            default -> throw new IllegalArgumentException("unknown recipe '" + name + "' (known: "
                    + String.join(", ", NAMES) + ", and the fine-tunes " + String.join(", ", FineTuneRecipe.NAMES) + ")");
        };
    }

    public Recipe withSteps(int newSteps) {
        return new Recipe(name, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositionEmbeddings, sequenceLength, batchRows, newSteps, learningRate,
                Math.min(warmupSteps, newSteps - 1), weightDecay, gradientClip, evalEvery, checkpointEvery,
                corpusExamples, seed);
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }
}
