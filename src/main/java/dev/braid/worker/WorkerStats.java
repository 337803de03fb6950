package dev.braid.worker;

import dev.braid.model.ProductMethod;
import java.util.List;

/**
 * A snapshot of one worker, for admission decisions, metrics and the console.
 *
 * @param dtype               the precision its weight matrices are held in ({@code braid.engine.dtype})
 * @param usedBlocks          KV blocks held by sequences
 * @param cachedBlocks        KV blocks the prefix cache holds, in use or idle (idle ones count as free)
 * @param prefixQueriedTokens context tokens looked up in the prefix cache since the worker started
 * @param prefixHitTokens     of those, tokens found cached
 * @param stepTokens          query tokens a step may take before long prompts are prefilled in chunks
 * @param stepCost            the measured cost of a step by its query tokens, which prices guesses
 * @param stepCostPerContext  milliseconds a step adds per query token for each 1,000 tokens of cached
 *                            context it attends over, beyond {@code stepCost}
 * @param stepCostSwitchToPacked   milliseconds a step on the packed copy of the weights pays after
 *                                 steps on the weights as loaded, beyond {@code stepCost}
 * @param stepCostSwitchFromPacked the same the other way
 * @param products            how a step of each range of row counts multiplies the weights on each thread
 *                            count, as timed at start
 */
public record WorkerStats(String name, String dtype, int runningTasks, int waitingTasks, int usedBlocks, int totalBlocks,
                          int peakUsedBlocks, int cachedBlocks, long prefixQueriedTokens, long prefixHitTokens,
                          long steps, long preemptions, int stepTokens, List<StepCostModel.Point> stepCost,
                          double stepCostPerContext, double stepCostSwitchToPacked,
                          double stepCostSwitchFromPacked, List<ProductChoice> products) {

    /**
     * Steps of {@code fromRows} to {@code toRows} query rows (null: no upper end) on {@code threads}
     * threads multiply the weights by {@code method}.
     */
    public record ProductChoice(int threads, int fromRows, Integer toRows, ProductMethod method) {
    }
}
