package dev.braid.jobs;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The jobs API's service: submit (a durable row), read, cancel, follow. Blocking methods are JPA
 * and are called on {@code boundedElastic}; {@link #events} returns a Flux that schedules its own
 * reads there.
 */
@Service
public class JobService {

    private static final Duration POLL = Duration.ofMillis(500);

    private final JobRepository repository;
    private final TransactionTemplate tx;
    private final JobEvents events;
    private final JobRunner runner;
    private final JsonMapper mapper;

    JobService(JobRepository repository, TransactionTemplate tx, JobEvents events, JobRunner runner,
               JsonMapper mapper) {
        this.repository = repository;
        this.tx = tx;
        this.events = events;
        this.runner = runner;
        this.mapper = mapper;
    }

    /** Stores a validated request as a queued job; blocking. */
    public JobView submit(String model, String requestJson) {
        Job job = new Job(UUID.randomUUID(), model, requestJson);
        events.open(job.id());
        tx.executeWithoutResult(status -> repository.save(job));
        events.publish(job.id(), new JobEvent("queued", Map.of("id", job.id().toString(), "model", model)));
        runner.wake();
        return view(job);
    }

    public JobView get(UUID id) {
        return view(find(id));
    }

    /**
     * Cancels a queued job at once; asks the replica running a job to stop it (this one at once,
     * another at its next lease renewal). Cancelling a finished job changes nothing.
     */
    public JobView cancel(UUID id) {
        boolean[] wasQueued = {false};
        Job job = Objects.requireNonNull(tx.execute(status -> {
            Job j = find(id);
            if (j.state() == JobState.QUEUED) {
                wasQueued[0] = true;
                j.finish(JobState.CANCELLED, null, "cancelled before it started");
            } else if (j.state() == JobState.RUNNING) {
                j.requestCancel();
            }
            return repository.save(j);
        }));
        // a job handed back after a run may keep its started time, so only this says nobody runs it
        if (wasQueued[0]) {
            events.finish(id, finished(job));
        }
        runner.cancelLocal(id);
        return view(job);
    }

    /** {@code queued}, {@code started}, {@code tokens}…, {@code finished}; then the stream ends. */
    public Flux<JobEvent> events(UUID id) {
        return Mono.fromCallable(() -> find(id)).subscribeOn(Schedulers.boundedElastic()).flatMapMany(job -> {
            if (job.state().terminal()) {
                return Flux.just(finished(job));
            }
            // a job submitted here may be claimed by another replica: its end then shows only in the database
            return events.follow(id)
                    .map(local -> Flux.merge(local, endedInDatabase(id)).takeUntil(JobService::isFinished))
                    .orElseGet(() -> poll(id, job));
        });
    }

    /** The job's {@code finished} event once the database shows it ended; it also ends the local stream. */
    private Flux<JobEvent> endedInDatabase(UUID id) {
        return Flux.interval(POLL)
                .concatMap(t -> Mono.fromCallable(() -> find(id)).subscribeOn(Schedulers.boundedElastic()))
                .filter(job -> job.state().terminal())
                .take(1)
                .map(job -> {
                    JobEvent finished = finished(job);
                    events.finish(id, finished);
                    return finished;
                });
    }

    private static boolean isFinished(JobEvent event) {
        return event.name().equals("finished");
    }

    /** For jobs running on another replica: state changes as the database shows them. */
    private Flux<JobEvent> poll(UUID id, Job first) {
        JobState[] last = {null};
        return Flux.concat(Mono.just(first), Flux.interval(POLL)
                        .concatMap(t -> Mono.fromCallable(() -> find(id)).subscribeOn(Schedulers.boundedElastic())))
                .concatMap(job -> {
                    JobState state = job.state();
                    if (state == last[0]) {
                        return Flux.empty();
                    }
                    JobState previous = last[0];
                    last[0] = state;
                    if (state.terminal()) {
                        return Flux.just(finished(job));
                    }
                    if (state == JobState.RUNNING) {
                        return previous == null
                                ? Flux.just(queued(job), new JobEvent("started", Map.of("id", id.toString())))
                                : Flux.just(new JobEvent("started", Map.of("id", id.toString())));
                    }
                    return Flux.just(queued(job));
                })
                .takeUntil(JobService::isFinished);
    }

    private static JobEvent queued(Job job) {
        return new JobEvent("queued", Map.of("id", job.id().toString(), "model", job.model()));
    }

    private JobEvent finished(Job job) {
        return JobEvents.finished(job, mapper);
    }

    private Job find(UUID id) {
        return repository.findById(id).orElseThrow(() -> new ServiceException(ErrorKind.NOT_FOUND, "id",
                "job " + id + " does not exist"));
    }

    JobView view(Job job) {
        JsonNode result = job.result() == null ? null : mapper.readTree(job.result());
        return new JobView(job.id(), job.state().id(), job.model(), job.attempts(), job.cancelRequested(),
                job.createdAt(), job.startedAt(), job.finishedAt(), job.error(), result);
    }
}
