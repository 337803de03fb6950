package dev.braid.jobs;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Live events of the jobs this replica submitted or runs, replayed to late subscribers. Jobs on
 * other replicas are followed through the database instead ({@link JobService#events}).
 */
@Component
class JobEvents {

    private static final Duration KEEP_AFTER_FINISH = Duration.ofMinutes(1);
    private static final int REPLAY_LIMIT = 4096;

    private final Map<UUID, Sinks.Many<JobEvent>> sinks = new ConcurrentHashMap<>();

    void open(UUID id) {
        sinks.computeIfAbsent(id, k -> Sinks.many().replay().limit(REPLAY_LIMIT));
    }

    void publish(UUID id, JobEvent event) {
        Sinks.Many<JobEvent> sink = sinks.get(id);
        if (sink != null) {
            sink.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
        }
    }

    void finish(UUID id, JobEvent finished) {
        Sinks.Many<JobEvent> sink = sinks.get(id);
        if (sink != null) {
            sink.emitNext(finished, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
            sink.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
            Mono.delay(KEEP_AFTER_FINISH).subscribe(t -> sinks.remove(id));
        }
    }

    static JobEvent finished(Job job, JsonMapper mapper) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", job.id().toString());
        data.put("state", job.state().id());
        data.put("error", job.error());
        data.put("result", job.result() == null ? null : mapper.readTree(job.result()));
        return new JobEvent("finished", data);
    }

    Optional<Flux<JobEvent>> follow(UUID id) {
        return Optional.ofNullable(sinks.get(id)).map(Sinks.Many::asFlux);
    }
}
