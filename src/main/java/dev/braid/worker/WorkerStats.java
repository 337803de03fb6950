package dev.braid.worker;

import java.util.List;

/**
 * A snapshot of one worker, for admission decisions, metrics and the console.
 *
 * @param stepCost the measured cost of a step by its query tokens, which prices guesses
 */
public record WorkerStats(String name, int runningTasks, int waitingTasks, int usedBlocks, int totalBlocks,
                          int peakUsedBlocks, long steps, long preemptions, List<StepCostModel.Point> stepCost) {
}
