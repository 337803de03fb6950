package dev.braid.registry;

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
 */
@ConfigurationProperties("braid.engine")
public record EngineProperties(
        @DefaultValue("cpu") List<String> devices,
        @DefaultValue("1") int blockSize,
        @DefaultValue("32768") int kvBlocks,
        @DefaultValue("64") int maxBatchTasks,
        @DefaultValue("1024") int maxWaitingTasks) {

    public EngineProperties {
        devices = devices == null || devices.isEmpty() ? List.of("cpu") : List.copyOf(devices);
    }

    public WorkerSettings workerSettings() {
        return new WorkerSettings(blockSize, kvBlocks, maxBatchTasks, maxWaitingTasks);
    }
}
