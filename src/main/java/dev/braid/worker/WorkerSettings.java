package dev.braid.worker;

/**
 * Per-worker engine settings.
 *
 * @param blockSize        positions per KV block
 * @param numBlocks        KV blocks in each worker's pool
 * @param maxBatchTasks    tasks decoded together in one step at most
 * @param maxWaitingTasks  tasks queued behind the running ones at most; more are refused
 * @param guessingTasks    up to this many running tasks, speculative strategies (lookahead, Jacobi) add
 *                         their guesses to a step; with more they run plain steps (0: never guess)
 */
public record WorkerSettings(int blockSize, int numBlocks, int maxBatchTasks, int maxWaitingTasks,
                             int guessingTasks) {

    /**
     * Guesses only while at most this many tasks share a step, measured with {@code bench} on CPU:
     * braid-base on 2 cores, 96 tokens per request, tokens/s against AR's in the same run. With a
     * quarter of the guesses from 4 tasks and almost none from 16, lookahead ran at 0.74×, 0.71× and
     * 0.85× at 4, 8 and 32 clients and Jacobi at 0.81×, 0.90× and 1.24× (noisy); with plain steps from
     * 4 tasks both ran at 0.98–1.16× at every level. On a CPU an extra query token costs about as much
     * as a real one once a few sequences share the step; a GPU, idle at small batches, takes more.
     */
    public static final int CPU_GUESSING_TASKS = 3;

    /**
     * KV is paged one position per block by default. Attention gathers the cache position by position
     * whatever the block size, so bigger blocks buy no speed here (bench: AR and Jacobi ran within
     * noise of each other at 1 and 16), while each partly filled block is memory held for nothing:
     * half a block per sequence on average, and with APAR a block per live branch, the one copied at
     * its fork plus its unfinished last one. On the eight list prompts, braid-apar's peak KV was 0.85
     * of the same answer held by one sequence with 16-position blocks, 0.66 with 4 and 0.63 with 1.
     * The pool holds 32768 positions, as 2048 blocks of 16 did.
     */
    public static final WorkerSettings DEFAULT = new WorkerSettings(1, 32768, 64, 1024, CPU_GUESSING_TASKS);

    public WorkerSettings {
        positive("blockSize", blockSize);
        positive("numBlocks", numBlocks);
        positive("maxBatchTasks", maxBatchTasks);
        positive("maxWaitingTasks", maxWaitingTasks);
        if (guessingTasks < 0) {
            throw new IllegalArgumentException("worker setting guessingTasks must not be negative, got " + guessingTasks);
        }
    }

    /** These settings with the CPU's guessing limit. */
    public WorkerSettings(int blockSize, int numBlocks, int maxBatchTasks, int maxWaitingTasks) {
        this(blockSize, numBlocks, maxBatchTasks, maxWaitingTasks, CPU_GUESSING_TASKS);
    }

    public WorkerSettings withGuessingTasks(int tasks) {
        return new WorkerSettings(blockSize, numBlocks, maxBatchTasks, maxWaitingTasks, tasks);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("worker setting " + name + " must be positive, got " + value);
        }
    }
}
