package dev.braid.jobs;

import dev.braid.api.openai.DecodingTrace;
import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.decoding.GenerationResult;
import dev.braid.registry.ModelRegistry;
import dev.braid.registry.ServedModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * This replica's share of the job queue. It claims jobs for the models it has loaded with
 * {@code SELECT … FOR UPDATE SKIP LOCKED}, holds each with a lease it renews every third of the
 * lease, runs them through {@link GenerationService}, and writes the outcome only while it still
 * holds the lease. Database work runs on {@code boundedElastic}, decoding on the workers.
 */
@Component
class JobRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobRepository repository;
    private final TransactionTemplate tx;
    private final JobsProperties properties;
    private final ModelRegistry registry;
    private final GenerationService generations;
    private final ObjectProvider<JobRequestParser> parser;
    private final JobEvents events;
    private final JsonMapper mapper;
    private final String replicaId;
    private final Map<UUID, Generation> running = new ConcurrentHashMap<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Scheduler scheduler = Schedulers.boundedElastic();
    private volatile Disposable timers = Disposables.disposed();

    JobRunner(JobRepository repository, TransactionTemplate tx, JobsProperties properties, ModelRegistry registry,
              GenerationService generations, ObjectProvider<JobRequestParser> parser, JobEvents events,
              JsonMapper mapper) {
        this.repository = repository;
        this.tx = tx;
        this.properties = properties;
        this.registry = registry;
        this.generations = generations;
        this.parser = parser;
        this.events = events;
        this.mapper = mapper;
        this.replicaId = properties.replicaId() == null || properties.replicaId().isBlank()
                ? "replica-" + UUID.randomUUID().toString().substring(0, 8) : properties.replicaId();
    }

    String replicaId() {
        return replicaId;
    }

    /** Look for work now, e.g. right after a submission. */
    void wake() {
        if (wakePending.compareAndSet(false, true)) {
            scheduler.schedule(() -> {
                wakePending.set(false);
                pollQuietly();
            });
        }
    }

    void cancelLocal(UUID id) {
        Generation generation = running.get(id);
        if (generation != null) {
            generation.cancel();
        }
    }

    int runningCount() {
        return running.size();
    }

    /** Claims and starts what this replica has room for; blocking. */
    synchronized int poll() {
        // after stop() a draining replica must not claim work it will hand back or fail
        if (!isRunning()) {
            return 0;
        }
        int room = properties.maxRunning() - running.size();
        List<String> models = registry.servedModels().stream().map(ServedModel::name).toList();
        if (room <= 0 || models.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        List<Job> claimed = new ArrayList<>();
        tx.executeWithoutResult(status -> {
            for (Job job : repository.lockClaimable(models, now, room)) {
                if (job.attempts() >= properties.maxAttempts()) {
                    job.finish(JobState.FAILED, null, "abandoned after " + job.attempts()
                            + " attempts: the replicas running it stopped renewing its lease");
                    repository.save(job);
                    events.finish(job.id(), JobEvents.finished(job, mapper));
                    continue;
                }
                job.claim(replicaId, now.plus(properties.lease()));
                claimed.add(repository.save(job));
            }
        });
        for (Job job : claimed) {
            start(job);
        }
        return claimed.size();
    }

    private void start(Job job) {
        UUID id = job.id();
        events.open(id);
        Generation generation;
        try {
            generation = generations.start(parser.getObject().parse(job.request()));
        } catch (ServiceException e) {
            if (e.kind() == ErrorKind.QUEUE_FULL || e.kind() == ErrorKind.NOT_READY) {
                // not this job's fault: hand it back for any replica to take later
                tx.executeWithoutResult(status -> repository.findById(id).ifPresent(j -> {
                    j.requeue();
                    repository.save(j);
                }));
                return;
            }
            finish(id, JobState.FAILED, null, e.getMessage());
            return;
        } catch (RuntimeException e) {
            finish(id, JobState.FAILED, null, "the job could not start: " + e.getMessage());
            return;
        }
        running.put(id, generation);
        events.publish(id, new JobEvent("started", Map.of("id", id.toString(), "replica", replicaId,
                "strategy", generation.decision().strategy())));
        List<IncrementalText> texts = new ArrayList<>();
        for (int i = 0; i < generation.command().n(); i++) {
            texts.add(new IncrementalText(generation.command().model().model().tokenizer(),
                    generation.command().stop().stopStrings()));
        }
        generation.events().publishOn(scheduler).subscribe(event -> {
            if (event instanceof GenerationEvent.Tokens tokens) {
                String text = texts.get(tokens.sequence()).append(tokens.ids());
                if (!text.isEmpty()) {
                    events.publish(id, new JobEvent("tokens", Map.of("index", tokens.sequence(), "text", text)));
                }
            } else if (event instanceof GenerationEvent.Finished finished) {
                GenerationResult result = finished.result();
                for (int i = 0; i < texts.size(); i++) {
                    String rest = texts.get(i).finish(result.completions().get(i));
                    if (!rest.isEmpty()) {
                        events.publish(id, new JobEvent("tokens", Map.of("index", i, "text", rest)));
                    }
                }
                boolean cancelled = result.completions().stream()
                        .anyMatch(c -> c.finishReason() == dev.braid.decoding.FinishReason.CANCELLED);
                finish(id, cancelled ? JobState.CANCELLED : JobState.SUCCEEDED, resultJson(generation, result),
                        cancelled ? "cancelled while running" : null);
            }
        }, error -> finish(id, JobState.FAILED, null, "generation failed: " + error.getMessage()));
    }

    private String resultJson(Generation generation, GenerationResult result) {
        List<Map<String, Object>> choices = new ArrayList<>();
        for (int i = 0; i < result.completions().size(); i++) {
            GenerationResult.Completion c = result.completions().get(i);
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", i);
            choice.put("text", c.text(generation.command().model().model().tokenizer()));
            choice.put("finish_reason", c.finishReason().openAiName());
            choices.add(choice);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", generation.command().model().name());
        body.put("choices", choices);
        body.put("usage", Map.of("prompt_tokens", result.promptTokens(), "completion_tokens",
                result.completionTokens(), "total_tokens", result.promptTokens() + result.completionTokens()));
        Map<String, Object> braid = new LinkedHashMap<>(Map.of("strategy", result.strategy(), "reason",
                generation.decision().reason(), "steps", result.steps(), "tokens_per_step",
                result.steps() == 0 ? 0 : (double) result.completionTokens() / result.steps(),
                "peak_kv_blocks", result.peakKvBlocks()));
        // the same trace /v1 responses carry, so the console can draw a job's APAR tree or SGD graph
        if (result.trace() != null) {
            braid.put("trace", DecodingTrace.of(result.trace(), generation.command().model().model().tokenizer()));
        }
        body.put("braid", braid);
        return mapper.writeValueAsString(body);
    }

    /** Writes the outcome if this replica still holds the job; a job whose lease was lost is left alone. */
    private void finish(UUID id, JobState state, String result, String error) {
        running.remove(id);
        try {
            Job done = tx.execute(status -> repository.findById(id).filter(j -> replicaId.equals(j.leaseOwner())
                    && j.state() == JobState.RUNNING).map(j -> {
                        j.finish(state, result, error);
                        return repository.save(j);
                    }).orElse(null));
            if (done == null) {
                log.warn("job {} finished here but its lease had passed to another replica; result dropped", id);
            } else {
                events.finish(id, JobEvents.finished(done, mapper));
            }
        } catch (RuntimeException e) {
            log.error("job {} finished ({}) but could not be recorded; its lease will expire and it runs again",
                    id, state.id(), e);
        }
        wake();
    }

    /** Renews the leases of the jobs running here and applies cancellations asked of other replicas. */
    void heartbeat() {
        List<UUID> ids = List.copyOf(running.keySet());
        if (ids.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        tx.executeWithoutResult(status -> repository.renew(ids, replicaId, now.plus(properties.lease()), now));
        for (UUID id : repository.cancelRequested(ids)) {
            cancelLocal(id);
        }
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            log.debug("job poll failed: {}", e.getMessage());
        }
    }

    private void heartbeatQuietly() {
        try {
            heartbeat();
        } catch (RuntimeException e) {
            log.warn("job lease renewal failed: {}", e.getMessage());
        }
    }

    @Override
    public void start() {
        long poll = properties.pollInterval().toMillis();
        long renew = Math.max(100, properties.lease().toMillis() / 3);
        timers = Disposables.composite(
                scheduler.schedulePeriodically(this::pollQuietly, poll, poll, TimeUnit.MILLISECONDS),
                scheduler.schedulePeriodically(this::heartbeatQuietly, renew, renew, TimeUnit.MILLISECONDS));
        log.info("job runner {} started (lease {}, poll {})", replicaId, properties.lease(), properties.pollInterval());
    }

    @Override
    public void stop() {
        timers.dispose();
    }

    @Override
    public boolean isRunning() {
        return !timers.isDisposed();
    }
}
