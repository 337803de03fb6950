package dev.braid.worker;

import ai.djl.Device;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.StepCost;
import dev.braid.model.Transformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The device workers serving one model; a task goes to the least loaded of them. */
public final class WorkerPool implements AutoCloseable {

    private final List<DeviceWorker> workers;

    private static final Comparator<DeviceWorker> LOAD =
            Comparator.comparingInt(w -> w.stats().runningTasks() + w.stats().waitingTasks());

    public WorkerPool(List<DeviceWorker> workers) {
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("a worker pool needs at least one worker");
        }
        this.workers = List.copyOf(workers);
    }

    /**
     * One worker per model replica, e.g. one per GPU; on CPU usually a single one. Each is named for
     * its device as {@code braid.engine.devices} spells it ({@code cpu}, {@code gpu:1}), as the
     * console, the health details and the {@code worker} metric tag show it; a second replica on the
     * same device gets {@code #2}.
     */
    public static WorkerPool of(List<Transformer> replicas, WorkerSettings settings) {
        return of(replicas, settings, null);
    }

    /** As {@link #of(List, WorkerSettings)}, its workers pricing guesses by {@code pricing} (null: their measured cost). */
    public static WorkerPool of(List<Transformer> replicas, WorkerSettings settings, StepCost pricing) {
        List<DeviceWorker> workers = new ArrayList<>();
        Map<String, Integer> perDevice = new HashMap<>();
        for (Transformer replica : replicas) {
            String device = deviceName(replica.device());
            int nth = perDevice.merge(device, 1, Integer::sum);
            workers.add(new DeviceWorker(nth == 1 ? device : device + "#" + nth, replica, settings, pricing));
        }
        return new WorkerPool(workers);
    }

    /** {@code cpu}, {@code gpu:0}: DJL's own {@code toString()} reads {@code cpu()}, {@code gpu(0)}. */
    static String deviceName(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : device.getDeviceType();
    }

    /**
     * The least loaded worker that has waiting room takes the task, so the pool refuses it only when
     * every worker is full, as {@link #room} promises; then the least loaded worker refuses it.
     */
    public void submit(DecodingTask task) {
        workers.stream()
                .filter(w -> w.waitingRoom() > 0)
                .min(LOAD)
                .orElseGet(this::leastLoaded)
                .submit(task);
    }

    /** The worker with the fewest requests running or waiting. */
    public DeviceWorker leastLoaded() {
        return workers.stream().min(LOAD).orElseThrow();
    }

    /** Tasks the pool takes now without refusing one: its workers' waiting room together. */
    public int room() {
        return workers.stream().mapToInt(DeviceWorker::waitingRoom).sum();
    }

    public List<WorkerStats> stats() {
        return workers.stream().map(DeviceWorker::stats).toList();
    }

    public List<DeviceWorker> workers() {
        return workers;
    }

    @Override
    public void close() {
        for (DeviceWorker worker : workers) {
            worker.close();
        }
    }
}
