package dev.braid.registry;

import dev.braid.worker.WorkerStats;
import java.time.Instant;
import java.util.List;

/**
 * A registered model as the admin API shows it: the stored entry plus its state on this replica.
 *
 * @param loadOnStart  the desired state kept in the registry
 * @param state        the state on this replica now
 * @param error        why the last load failed, when {@code state} is {@code failed}
 */
public record ModelView(String name, String path, List<String> capabilities, String draftPartner,
                        boolean loadOnStart, String state, String error, Integer contextLength,
                        String chatTemplate, List<WorkerStats> workers, Instant createdAt, Instant updatedAt) {
}
