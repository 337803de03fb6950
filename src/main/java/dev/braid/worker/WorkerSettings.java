package dev.braid.worker;

/**
 * Per-worker engine settings.
 *
 * @param blockSize        positions per KV block
 * @param numBlocks        KV blocks in each worker's pool
 * @param maxBatchTasks    tasks decoded together in one step at most
 * @param maxWaitingTasks  tasks queued behind the running ones at most; more are refused
 */
public record WorkerSettings(int blockSize, int numBlocks, int maxBatchTasks, int maxWaitingTasks) {

    public static final WorkerSettings DEFAULT = new WorkerSettings(16, 2048, 64, 1024);

    public WorkerSettings {
        positive("blockSize", blockSize);
        positive("numBlocks", numBlocks);
        positive("maxBatchTasks", maxBatchTasks);
        positive("maxWaitingTasks", maxWaitingTasks);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("worker setting " + name + " must be positive, got " + value);
        }
    }
}
