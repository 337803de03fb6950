package dev.braid.decoding;

import ai.djl.ndarray.NDScope;
import dev.braid.kv.KvLease;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.LoadedModel;
import dev.braid.model.StepBatch;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import dev.braid.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker's step loop for one task, run on the test's thread, so a test can look at the task and
 * the KV pool between steps: plan, reserve, one forward pass, consume.
 */
public final class StepDriver implements AutoCloseable {

    private final Transformer model;
    private final PagedKvCache cache;
    private final List<List<StepPlan>> planned = new ArrayList<>();
    private int forwards;

    public StepDriver(LoadedModel model, int blockSize, int numBlocks) {
        this.model = model.transformer();
        this.cache = new PagedKvCache(this.model.cacheSpec(blockSize, numBlocks), this.model.device());
    }

    public PagedKvCache cache() {
        return cache;
    }

    /** Every step's plans, in order; a step with no plans ran no forward pass. */
    public List<List<StepPlan>> planned() {
        return planned;
    }

    public int forwards() {
        return forwards;
    }

    public void start(DecodingTask task) {
        task.start(new KvLease(cache), model.config().maxPositionEmbeddings());
    }

    /** One step; returns false when the task had nothing for the model this time. */
    public boolean step(DecodingTask task) {
        List<StepPlan> plans = task.plan();
        planned.add(plans);
        if (plans.isEmpty()) {
            return false;
        }
        for (StepPlan plan : plans) {
            if (!cache.reserve(plan.table(), plan.queryCount())) {
                throw new IllegalStateException("test pool too small");
            }
        }
        try (NDScope ignored = new NDScope()) {
            StepOutput output = model.forward(new StepBatch(plans), cache);
            task.consume(output, 0);
            output.flush();
        }
        task.stepped(plans.stream().mapToInt(StepPlan::queryCount).sum(), plans.stream().mapToInt(StepPlan::logitCount).sum());
        forwards++;
        return true;
    }

    /** Steps until the task finishes, then releases it the way the worker does. */
    public GenerationResult run(DecodingTask task, Runnable afterEachStep) {
        start(task);
        for (int guard = 0; !task.finished(); guard++) {
            if (guard > 100_000) {
                throw new IllegalStateException("task never finished");
            }
            if (step(task)) {
                afterEachStep.run();
            } else {
                Thread.onSpinWait();
            }
        }
        task.release();
        return task.result();
    }

    public GenerationResult run(DecodingTask task) {
        return run(task, () -> { });
    }

    @Override
    public void close() {
        cache.close();
    }
}
