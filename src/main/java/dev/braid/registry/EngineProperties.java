package dev.braid.registry;

import dev.braid.model.CpuThreads;
import dev.braid.model.DtypeChoice;
import dev.braid.worker.WorkerSettings;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code braid.engine.*}: where models run and how big each worker's KV pool and queue are.
 *
 * @param devices         one worker (model replica) per entry: {@code cpu}, {@code gpu:0}, ...
 * @param blockSize       positions per KV block
 * @param kvBlocks        KV blocks per worker
 * @param maxBatchTasks   requests decoded together in one step
 * @param maxWaitingTasks requests queued on a worker behind the running ones
 * @param cpuThreads      CPU threads of a parallel step, which every worker's large steps take in turn; 0: all the host's cores ({@link CpuThreads})
 * @param dtype           the precision of the weight matrices: {@code auto}, {@code float32}, {@code float16} or
 *                        {@code bfloat16} ({@link DtypeChoice})
 * @param prefixCaching   start requests from the longest cached prefix of their prompt
 * @param maxStepTokens   query tokens per step beyond which long prompts are prefilled in chunks;
 *                        0: each worker chooses from its measured step cost
 */
@ConfigurationProperties("braid.engine")
public record EngineProperties(
        List<String> devices,
        Integer blockSize,
        Integer kvBlocks,
        Integer maxBatchTasks,
        Integer maxWaitingTasks,
        Integer cpuThreads,
        String dtype,
        Boolean prefixCaching,
        Integer maxStepTokens) {

    /** Unset keys fall back to the one definition of each default: WorkerSettings, CpuThreads, DtypeChoice. */
    public EngineProperties {
        devices = devices == null || devices.isEmpty() ? List.of("cpu") : List.copyOf(devices);
        WorkerSettings defaults = WorkerSettings.DEFAULT;
        blockSize = blockSize == null ? defaults.blockSize() : blockSize;
        kvBlocks = kvBlocks == null ? defaults.numBlocks() : kvBlocks;
        maxBatchTasks = maxBatchTasks == null ? defaults.maxBatchTasks() : maxBatchTasks;
        maxWaitingTasks = maxWaitingTasks == null ? defaults.maxWaitingTasks() : maxWaitingTasks;
        cpuThreads = cpuThreads == null ? CpuThreads.ALL_CORES : cpuThreads;
        if (cpuThreads < 0) {
            throw new IllegalArgumentException("braid.engine.cpu-threads must be 0 (all cores) or positive, got "
                    + cpuThreads);
        }
        dtype = dtype == null ? DtypeChoice.AUTO.key() : dtype;
        prefixCaching = prefixCaching == null ? defaults.prefixCaching() : prefixCaching;
        maxStepTokens = maxStepTokens == null ? defaults.maxStepTokens() : maxStepTokens;
        if (maxStepTokens < 0) {
            throw new IllegalArgumentException("braid.engine.max-step-tokens must be 0 (from the measured step cost) "
                    + "or positive, got " + maxStepTokens);
        }
        dtypeChoiceOf(dtype);
    }

    public DtypeChoice dtypeChoice() {
        return dtypeChoiceOf(dtype);
    }

    private static DtypeChoice dtypeChoiceOf(String dtype) {
        try {
            return DtypeChoice.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("braid.engine.dtype: " + e.getMessage(), e);
        }
    }

    public WorkerSettings workerSettings() {
        return new WorkerSettings(blockSize, kvBlocks, maxBatchTasks, maxWaitingTasks, prefixCaching, maxStepTokens);
    }
}
