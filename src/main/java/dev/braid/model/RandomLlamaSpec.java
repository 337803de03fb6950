package dev.braid.model;

/**
 * The shape of a randomly initialised Llama checkpoint for benchmarks. Heads are 64 wide and the
 * MLP is about 8/3 of the hidden size, as in the Llama papers, so that compute per parameter is
 * representative of real models of the same size.
 */
public record RandomLlamaSpec(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int intermediateSize,
        int maxPositionEmbeddings) {

    static final int HEAD_DIM = 64;
    public static final int DEFAULT_VOCAB = 4096;
    public static final int DEFAULT_MAX_POSITIONS = 2048;
    private static final int[] HIDDEN_SIZES = {64, 128, 256, 384, 512, 768, 1024, 1536, 2048, 2560, 3072, 4096, 5120, 8192};

    public RandomLlamaSpec {
        requirePositive("vocabSize", vocabSize);
        requirePositive("hiddenSize", hiddenSize);
        requirePositive("numLayers", numLayers);
        requirePositive("numHeads", numHeads);
        requirePositive("numKvHeads", numKvHeads);
        requirePositive("intermediateSize", intermediateSize);
        requirePositive("maxPositionEmbeddings", maxPositionEmbeddings);
        if (vocabSize < ByteLevelTokenizerJson.VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabSize must be at least " + ByteLevelTokenizerJson.VOCAB_SIZE
                    + " to hold the byte-level tokenizer's ids, got " + vocabSize);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not divisible by numHeads " + numHeads);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("numHeads " + numHeads + " is not divisible by numKvHeads " + numKvHeads);
        }
        if ((hiddenSize / numHeads) % 2 != 0) {
            throw new IllegalArgumentException("head dimension " + hiddenSize / numHeads + " must be even for RoPE");
        }
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public long parameterCount() {
        long h = hiddenSize;
        long kvDim = (long) numKvHeads * headDim();
        long attention = 2 * h * h + 2 * kvDim * h;
        long mlp = 3 * h * intermediateSize;
        long norms = 2 * h;
        return 2L * vocabSize * h + h + numLayers * (attention + mlp + norms);
    }

    /**
     * A shape of roughly {@code approxParams} parameters: the widest hidden size that still leaves
     * at least one layer per 128 hidden units, since very wide, very shallow models would make
     * benchmarks dominated by the embedding and output matrices.
     */
    public static RandomLlamaSpec forParameterCount(long approxParams) {
        if (approxParams <= 0) {
            throw new IllegalArgumentException("parameter count must be positive, got " + approxParams);
        }
        RandomLlamaSpec best = withHidden(HIDDEN_SIZES[0], 1);
        for (int hidden : HIDDEN_SIZES) {
            RandomLlamaSpec oneLayer = withHidden(hidden, 1);
            long perLayer = withHidden(hidden, 2).parameterCount() - oneLayer.parameterCount();
            long fixed = oneLayer.parameterCount() - perLayer;
            long layers = Math.round((double) (approxParams - fixed) / perLayer);
            if (layers >= Math.max(1, hidden / 128) && layers <= Integer.MAX_VALUE) {
                best = withHidden(hidden, (int) layers);
            }
        }
        return best;
    }

    private static RandomLlamaSpec withHidden(int hidden, int layers) {
        int heads = hidden / HEAD_DIM;
        int intermediate = (8 * hidden / 3 + 31) / 32 * 32;
        return new RandomLlamaSpec(DEFAULT_VOCAB, hidden, layers, heads, heads, intermediate, DEFAULT_MAX_POSITIONS);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
