package dev.braid.registry;

import dev.braid.model.CpuThreads;
import dev.braid.model.WeightDtype;
import dev.braid.worker.WorkerSettings;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.engine.*}: where models run and how big each worker's KV pool and queue are.
 *
 * @param devices         one worker (model replica) per entry: {@code cpu}, {@code gpu:0}, ...
 * @param blockSize       positions per KV block
 * @param kvBlocks        KV blocks per worker
 * @param maxBatchTasks   requests decoded together in one step
 * @param maxWaitingTasks requests queued on a worker behind the running ones
 * @param cpuThreads      CPU threads each worker's kernels use; 0: half the host's cores ({@link CpuThreads})
 * @param dtype           the precision of the weight matrices, {@code float32} or {@code float16} ({@link WeightDtype})
 */
@ConfigurationProperties("braid.engine")
public record EngineProperties(
        @DefaultValue("cpu") List<String> devices,
        @DefaultValue("1") int blockSize,
        @DefaultValue("32768") int kvBlocks,
        @DefaultValue("64") int maxBatchTasks,
        @DefaultValue("1024") int maxWaitingTasks,
        @DefaultValue("0") int cpuThreads,
        @DefaultValue("float32") String dtype) {

    public EngineProperties {
        devices = devices == null || devices.isEmpty() ? List.of("cpu") : List.copyOf(devices);
        if (cpuThreads < 0) {
            throw new IllegalArgumentException("braid.engine.cpu-threads must be 0 (half the cores) or positive, got "
                    + cpuThreads);
        }
        dtype = dtype == null ? WeightDtype.FLOAT32.key() : dtype;
        weightDtypeOf(dtype);
    }

    public WeightDtype weightDtype() {
        return weightDtypeOf(dtype);
    }

    private static WeightDtype weightDtypeOf(String dtype) {
        try {
            return WeightDtype.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("braid.engine.dtype: " + e.getMessage(), e);
        }
    }

    public WorkerSettings workerSettings() {
        return new WorkerSettings(blockSize, kvBlocks, maxBatchTasks, maxWaitingTasks);
    }
}
