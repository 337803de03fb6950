package dev.braid.jobs;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.decoding.GenerationResult;
import dev.braid.registry.ModelRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
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
 *
 * <p>It claims only what it can start at once: nothing until the replica is ready (the seed models
 * load after this runner has started) or once it drains, and no more than its free job slots, the
 * admission queue and each model's workers take now ({@link ClaimBudget}). A claim counts as an
 * attempt; one handed back because its run could not start gets its attempt back
 * ({@link JobHandBack}), so {@code max-attempts} counts only runs that started and lost their lease.
 */
@Component
class JobRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobRepository repository;
    private final TransactionTemplate tx;
    private final JobsProperties properties;
    private final ModelRegistry registry;
    private final GenerationService generations;
    private final Admission admission;
    private final JobHandBack handBack;
    private final JobQueueGauges gauges;
    private final ObjectProvider<JobRequestParser> parser;
    private final JobEvents events;
    private final JsonMapper mapper;
    private final String replicaId;
    private final Map<UUID, Generation> running = new ConcurrentHashMap<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Scheduler scheduler = Schedulers.boundedElastic();
    private volatile Disposable timers = Disposables.disposed();

    JobRunner(JobRepository repository, TransactionTemplate tx, JobsProperties properties, ModelRegistry registry,
              GenerationService generations, Admission admission, JobHandBack handBack, JobQueueGauges gauges,
              ObjectProvider<JobRequestParser> parser, JobEvents events, JsonMapper mapper) {
        this.repository = repository;
        this.tx = tx;
        this.properties = properties;
        this.registry = registry;
        this.generations = generations;
        this.admission = admission;
        this.handBack = handBack;
        this.gauges = gauges;
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

    /** Claims and starts what this replica can start now; blocking. */
    synchronized int poll() {
        // stop() runs before the shutdown drain, and readiness is down from the drain's start until
        // the seed models have loaded: a claim made then could only be handed back
        if (!isRunning() || !admission.ready()) {
            return 0;
        }
        ClaimBudget budget = ClaimBudget.of(properties.maxRunning() - running.size(), admission,
                registry.servedModels());
        if (budget.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        List<Claim> claimed = new ArrayList<>();
        List<Job> ended = new ArrayList<>();
        tx.executeWithoutResult(status -> claim(budget, now, claimed, ended));
        for (Job job : ended) {
            events.finish(job.id(), JobEvents.finished(job, mapper));
        }
        for (Claim claim : claimed) {
            start(claim.job().id(), claim.command());
        }
        return claimed.size();
    }

    /** A claimed job with its request already parsed (its prompt tokens were needed to claim it). */
    private record Claim(Job job, GenerationCommand command) {
    }

    /**
     * Locks each model's oldest claimable jobs (no more than that model can take) and claims them
     * oldest first across models while the budget lasts; the rows it leaves are unlocked at commit.
     */
    private void claim(ClaimBudget budget, Instant now, List<Claim> claimed, List<Job> ended) {
        List<Job> candidates = new ArrayList<>();
        budget.models().forEach((model, room) -> candidates.addAll(repository.lockClaimable(model, now, room)));
        candidates.sort(Comparator.comparing(Job::createdAt));
        for (Job job : candidates) {
            if (job.attempts() >= properties.maxAttempts()) {
                job.abandon();
                ended.add(repository.save(job));
                continue;
            }
            GenerationCommand command;
            try {
                command = parser.getObject().parse(job.request());
            } catch (RuntimeException e) {
                if (e instanceof ServiceException se
                        && (se.kind() == ErrorKind.MODEL_NOT_LOADED || se.kind() == ErrorKind.MODEL_NOT_FOUND)) {
                    continue; // unloaded here meanwhile: the job waits for a replica that serves it
                }
                // failed here rather than thrown: a throw would roll back every claim and block the
                // model's queue behind this job at each poll
                job.finish(JobState.FAILED, null, "the job could not start: " + e.getMessage());
                ended.add(repository.save(job));
                continue;
            }
            long tokens = (long) command.promptIds().length * command.n();
            if (!admission.fitsEver(tokens)) {
                job.finish(JobState.FAILED, null, "the job could not start: its " + tokens + " prompt tokens (prompt × n) "
                        + "exceed what braid.admission.max-queued-prompt-tokens lets wait on a replica");
                ended.add(repository.save(job));
                continue;
            }
            if (budget.take(job.model(), tokens)) {
                job.claim(replicaId, now.plus(properties.lease()));
                claimed.add(new Claim(repository.save(job), command));
            }
        }
    }

    private void start(UUID id, GenerationCommand command) {
        Generation generation;
        try {
            generation = generations.start(command);
        } catch (ServiceException e) {
            if (e.kind() == ErrorKind.QUEUE_FULL || e.kind() == ErrorKind.NOT_READY) {
                // room went to other requests after the budget was taken, or the replica began to
                // drain: the run never started, so the job goes back as it was
                handBack(id, e.getMessage());
                return;
            }
            finish(id, JobState.FAILED, null, "the job could not start: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            finish(id, JobState.FAILED, null, "the job could not start: " + e.getMessage());
            return;
        }
        events.open(id);
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
        }, error -> finish(id, JobState.FAILED, null, "generation failed on " + replicaId + ": " + error.getMessage()));
    }

    /** Returns a claim whose run could not start; a job cancelled meanwhile ends as cancelled instead. */
    private void handBack(UUID id, String why) {
        try {
            if (handBack.one(replicaId, id)) {
                log.debug("job {} handed back unstarted, its attempt returned: {}", id, why);
            } else {
                finish(id, JobState.CANCELLED, null, "cancelled before it started");
            }
        } catch (RuntimeException e) {
            log.warn("job {} could not start ({}) nor be handed back: {}; it runs again once its lease expires, "
                    + "that claim counted as an attempt", id, why, e.getMessage());
        }
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
        // the same block /v1 responses carry, so the console can draw a job's APAR tree or SGD graph
        body.put("braid", BraidInfo.of(generation, result));
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

    /** The poll timer's tick: the queue's gauges are counted here too, whether or not this replica can claim. */
    private void tick() {
        gauges.refresh();
        pollQuietly();
    }

    /** Ready at last (models loaded) or again: claim at once rather than at the next tick. */
    @EventListener
    void on(AvailabilityChangeEvent<ReadinessState> event) {
        if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && isRunning()) {
            wake();
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
                scheduler.schedulePeriodically(this::tick, poll, poll, TimeUnit.MILLISECONDS),
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
