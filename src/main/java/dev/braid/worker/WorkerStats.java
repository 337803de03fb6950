package dev.braid.worker;

/** A snapshot of one worker, for admission decisions, metrics and the console. */
public record WorkerStats(String name, int runningTasks, int waitingTasks, int usedBlocks, int totalBlocks,
                          int peakUsedBlocks, long steps, long preemptions) {
}
