package dev.braid.ops;

import dev.braid.registry.ModelRegistry;
import dev.braid.registry.ServedModel;
import dev.braid.worker.WorkerStats;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code workerPool} (part of the readiness group): every loaded model's workers
 * with their running and waiting requests and KV use. OUT_OF_SERVICE once shutdown starts draining,
 * so the readiness probe says so explicitly even before the availability state is read; load alone
 * never makes it DOWN, because taking busy replicas out of rotation only moves their load onto the
 * others (the waiting queue's 429s are the back-pressure).
 */
@Component("workerPool")
public class WorkerPoolHealthIndicator implements HealthIndicator {

    private final ModelRegistry registry;
    private final ShutdownDrain drain;

    public WorkerPoolHealthIndicator(ModelRegistry registry, ShutdownDrain drain) {
        this.registry = registry;
        this.drain = drain;
    }

    @Override
    public Health health() {
        Health.Builder health = drain.isDraining() ? Health.outOfService().withDetail("draining", true) : Health.up();
        Map<String, Object> models = new LinkedHashMap<>();
        int running = 0;
        int waiting = 0;
        List<ServedModel> served = registry.servedModels().stream()
                .sorted(Comparator.comparing(ServedModel::name)).toList();
        for (ServedModel model : served) {
            Map<String, Object> workers = new LinkedHashMap<>();
            for (WorkerStats stats : model.workerStats()) {
                running += stats.runningTasks();
                waiting += stats.waitingTasks();
                Map<String, Object> worker = new LinkedHashMap<>();
                worker.put("running", stats.runningTasks());
                worker.put("waiting", stats.waitingTasks());
                worker.put("kvBlocksUsed", stats.usedBlocks());
                worker.put("kvBlocksTotal", stats.totalBlocks());
                worker.put("kvUsage", stats.totalBlocks() == 0 ? 0.0
                        : Math.round(1000.0 * stats.usedBlocks() / stats.totalBlocks()) / 1000.0);
                workers.put(stats.name(), worker);
            }
            models.put(model.name(), workers);
        }
        return health.withDetail("models", models).withDetail("running", running).withDetail("waiting", waiting)
                .build();
    }
}
