package dev.braid.metrics;

import dev.braid.registry.ModelLifecycleEvent;
import dev.braid.registry.ServedModel;
import dev.braid.worker.DeviceWorker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Meters of each loaded model's workers: running and waiting requests, KV blocks, preemptions, prefix cache. */
@Component
class WorkerMeters {

    private final MeterRegistry registry;
    private final Map<String, List<Meter>> byModel = new ConcurrentHashMap<>();

    WorkerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @EventListener
    void on(ModelLifecycleEvent event) {
        ServedModel model = event.model();
        List<Meter> old = byModel.remove(model.name());
        if (old != null) {
            old.forEach(registry::remove);
        }
        if (!event.loaded()) {
            return;
        }
        List<Meter> meters = new ArrayList<>();
        for (DeviceWorker worker : model.pool().workers()) {
            meters.add(gauge("braid.worker.running", "Requests decoding", model, worker, w -> w.stats().runningTasks()));
            meters.add(gauge("braid.worker.waiting", "Requests queued", model, worker, w -> w.stats().waitingTasks()));
            meters.add(gauge("braid.kv.blocks.used", "KV blocks in use", model, worker, w -> w.stats().usedBlocks()));
            meters.add(gauge("braid.kv.blocks.total", "KV blocks in the pool", model, worker,
                    w -> w.stats().totalBlocks()));
            meters.add(gauge("braid.worker.steps", "Forward passes", model, worker, w -> w.stats().steps()));
            meters.add(gauge("braid.worker.preemptions", "Requests preempted to free KV blocks", model, worker,
                    w -> w.stats().preemptions()));
            meters.add(gauge("braid.kv.blocks.cached", "KV blocks the prefix cache holds, in use or idle", model,
                    worker, w -> w.stats().cachedBlocks()));
            meters.add(counter("braid.prefix.cache.queries", "Prompt and context tokens looked up in the prefix cache",
                    model, worker, w -> w.stats().prefixQueriedTokens()));
            meters.add(counter("braid.prefix.cache.hits", "Tokens found in the prefix cache", model, worker,
                    w -> w.stats().prefixHitTokens()));
        }
        byModel.put(model.name(), meters);
    }

    private Meter counter(String name, String description, ServedModel model, DeviceWorker worker,
                          ToDoubleFunction<DeviceWorker> value) {
        return FunctionCounter.builder(name, worker, value).description(description)
                .tag("model", model.name()).tag("worker", worker.name()).register(registry);
    }

    private Meter gauge(String name, String description, ServedModel model, DeviceWorker worker,
                        ToDoubleFunction<DeviceWorker> value) {
        return Gauge.builder(name, worker, value).description(description)
                .tag("model", model.name()).tag("worker", worker.name()).register(registry);
    }
}
