package dev.braid.registry;

import dev.braid.decoding.StepPrice;
import dev.braid.model.ChatTemplate;
import dev.braid.model.LoadedModel;
import dev.braid.worker.WorkerPool;
import dev.braid.worker.WorkerStats;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A model loaded on this replica: its tokenizer and template, the workers that decode for it, and
 * the capabilities it is registered with (which an admin may change while it stays loaded).
 */
public final class ServedModel {

    private final String name;
    private final List<LoadedModel> replicas;
    private final LoadedModel model;
    private final WorkerPool pool;
    private final ChatTemplate chatTemplate;
    private final Instant loadedAt = Instant.now();
    private volatile Set<Capability> capabilities;
    private volatile String draftPartner;

    ServedModel(String name, List<LoadedModel> replicas, WorkerPool pool, Set<Capability> capabilities,
                String draftPartner) {
        this.name = name;
        this.replicas = List.copyOf(replicas);
        this.model = replicas.get(0);
        this.pool = pool;
        this.chatTemplate = ChatTemplate.of(model.tokenizerConfig());
        this.capabilities = Set.copyOf(capabilities);
        this.draftPartner = draftPartner;
    }

    public String name() {
        return name;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    public WorkerPool pool() {
        return pool;
    }

    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    public Set<Capability> capabilities() {
        return capabilities;
    }

    public String draftPartner() {
        return draftPartner;
    }

    /** The first replica: the tokenizer and configuration every replica shares. */
    public LoadedModel model() {
        return model;
    }

    /** Positions the model can attend: prompt plus generated tokens never exceed it. */
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    public List<WorkerStats> workerStats() {
        return pool.stats();
    }

    /** The batch on the least loaded worker, the one a new request joins, and what its steps cost there. */
    public StepPrice batch() {
        return pool.leastLoaded().batch();
    }

    /** Requests running or waiting on the least loaded worker: the load a new request joins. */
    public int load() {
        WorkerStats least = pool.leastLoaded().stats();
        return least.runningTasks() + least.waitingTasks();
    }

    void update(Set<Capability> capabilities, String draftPartner) {
        this.capabilities = Set.copyOf(capabilities);
        this.draftPartner = draftPartner;
    }

    void close() {
        pool.close();
        replicas.forEach(LoadedModel::close);
    }
}
