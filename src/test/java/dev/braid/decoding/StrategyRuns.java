package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.LoadedModel;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import dev.braid.worker.WorkerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs requests through a real worker, alone or together, for the strategy tests. */
public final class StrategyRuns {

    private StrategyRuns() {
    }

    public record Job(DecodingStrategy strategy, GenerationRequest request) {
    }

    /** The strategy of this name, the substitutes the service runs in place of others (apar-serial) included. */
    public static DecodingStrategy named(String name) {
        return DecodingStrategies.runnable(name).orElseThrow(() -> new IllegalArgumentException("no strategy " + name));
    }

    /** Guesses priced as free: strategies run at their full shape whatever this host measures. */
    public static final StepCost FREE = tokens -> 1.0;

    /**
     * Each job alone on a fresh worker's queue, one after another, guessing at its full shape; the
     * pool must end empty.
     */
    public static List<GenerationResult> alone(LoadedModel model, List<Job> jobs) throws Exception {
        return alone(model, jobs, WorkerSettings.DEFAULT_PREFIX_CACHING);
    }

    /** As {@link #alone(LoadedModel, List)}, with prefix caching on or off. */
    public static List<GenerationResult> alone(LoadedModel model, List<Job> jobs, boolean prefixCaching)
            throws Exception {
        return alone(model, jobs, new WorkerSettings(16, 256, 1, 256, prefixCaching));
    }

    /** As {@link #alone(LoadedModel, List)}, on a worker with {@code settings}. */
    public static List<GenerationResult> alone(LoadedModel model, List<Job> jobs, WorkerSettings settings)
            throws Exception {
        List<GenerationResult> results = new ArrayList<>();
        try (DeviceWorker worker = new DeviceWorker("solo", model.transformer(), settings, FREE)) {
            for (Job job : jobs) {
                ResultFuture future = new ResultFuture();
                worker.submit(job.strategy().newTask(job.request(), model.tokenizer(), future));
                results.add(future.get(300, TimeUnit.SECONDS));
            }
            assertDrained(worker);
        }
        return results;
    }

    public record Batch(List<GenerationResult> results, WorkerStats stats) {
    }

    /**
     * All jobs submitted at once to one worker, so their plans share every step; the worker prices
     * guesses as free, so speculative plans run at their full shape beside each other.
     */
    public static Batch together(LoadedModel model, List<Job> jobs, int blocks) throws Exception {
        return together(model, jobs, blocks, FREE);
    }

    /** As {@link #together(LoadedModel, List, int)}, with guesses priced by {@code pricing}. */
    public static Batch together(LoadedModel model, List<Job> jobs, int blocks, StepCost pricing) throws Exception {
        List<GenerationResult> results = new ArrayList<>();
        try (DeviceWorker worker = new DeviceWorker("batch", model.transformer(), new WorkerSettings(16, blocks, 64, 256),
                pricing)) {
            List<ResultFuture> futures = new ArrayList<>();
            for (Job job : jobs) {
                ResultFuture future = new ResultFuture();
                futures.add(future);
                worker.submit(job.strategy().newTask(job.request(), model.tokenizer(), future));
            }
            for (ResultFuture future : futures) {
                results.add(future.get(600, TimeUnit.SECONDS));
            }
            assertDrained(worker);
            return new Batch(results, worker.stats());
        }
    }

    /** After the last task finished, every KV block is back in the pool. */
    public static void assertDrained(DeviceWorker worker) throws InterruptedException {
        for (int i = 0; i < 200 && (worker.stats().runningTasks() > 0 || worker.stats().usedBlocks() > 0); i++) {
            Thread.sleep(10);
        }
        assertThat(worker.stats().runningTasks()).isZero();
        assertThat(worker.stats().usedBlocks()).as("KV blocks still held after all tasks finished").isZero();
    }
}
