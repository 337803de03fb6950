package dev.braid.worker;

/**
 * Per-worker engine settings.
 *
 * @param blockSize        positions per KV block
 * @param numBlocks        KV blocks in each worker's pool
 * @param maxBatchTasks    tasks decoded together in one step at most
 * @param maxWaitingTasks  tasks queued behind the running ones at most; more are refused
 * @param prefixCaching    keep finished sequences' K/V indexed by token prefix until the pool needs
 *                         the blocks, so a request starts from the longest cached prefix of its prompt
 * @param maxStepTokens    query tokens of one step beyond which a long prompt is prefilled over
 *                         several steps while running requests go on decoding;
 *                         {@link #MAX_STEP_TOKENS_FROM_CALIBRATION} lets each worker choose it from its
 *                         measured step cost ({@link StepCostModel#chunkTokens()})
 */
public record WorkerSettings(int blockSize, int numBlocks, int maxBatchTasks, int maxWaitingTasks,
                             boolean prefixCaching, int maxStepTokens) {

    public static final int MAX_STEP_TOKENS_FROM_CALIBRATION = 0;

    /** On: answers are the same with it off, and a shared system prompt or chat history is computed once. */
    public static final boolean DEFAULT_PREFIX_CACHING = true;

    /**
     * KV is paged one position per block by default. Attention gathers the cache position by position
     * whatever the block size, so bigger blocks buy no speed here (bench: AR and Jacobi ran within
     * noise of each other at 1 and 16), while each partly filled block is memory held for nothing:
     * half a block per sequence on average, and with APAR a block per live branch, the one copied at
     * its fork plus its unfinished last one. On the eight list prompts, braid-apar's peak KV was 0.85
     * of the same answer held by one sequence with 16-position blocks, 0.66 with 4 and 0.63 with 1.
     * The pool holds 32768 positions, as 2048 blocks of 16 did.
     */
    public static final WorkerSettings DEFAULT = new WorkerSettings(1, 32768, 64, 1024, DEFAULT_PREFIX_CACHING,
            MAX_STEP_TOKENS_FROM_CALIBRATION);

    /** Settings with the default prefix caching and step budget. */
    public WorkerSettings(int blockSize, int numBlocks, int maxBatchTasks, int maxWaitingTasks) {
        this(blockSize, numBlocks, maxBatchTasks, maxWaitingTasks, DEFAULT_PREFIX_CACHING);
    }

    /** Settings with the default step budget. */
    public WorkerSettings(int blockSize, int numBlocks, int maxBatchTasks, int maxWaitingTasks,
                          boolean prefixCaching) {
        this(blockSize, numBlocks, maxBatchTasks, maxWaitingTasks, prefixCaching, MAX_STEP_TOKENS_FROM_CALIBRATION);
    }

    public WorkerSettings withPrefixCaching(boolean on) {
        return new WorkerSettings(blockSize, numBlocks, maxBatchTasks, maxWaitingTasks, on, maxStepTokens);
    }

    public WorkerSettings withMaxStepTokens(int tokens) {
        return new WorkerSettings(blockSize, numBlocks, maxBatchTasks, maxWaitingTasks, prefixCaching, tokens);
    }

    public WorkerSettings {
        positive("blockSize", blockSize);
        positive("numBlocks", numBlocks);
        positive("maxBatchTasks", maxBatchTasks);
        positive("maxWaitingTasks", maxWaitingTasks);
        if (maxStepTokens < 0) {
            throw new IllegalArgumentException("worker setting maxStepTokens must be 0 (from calibration) or positive, got "
                    + maxStepTokens);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("worker setting " + name + " must be positive, got " + value);
        }
    }
}
