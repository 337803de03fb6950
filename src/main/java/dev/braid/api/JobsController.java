package dev.braid.api;

import dev.braid.common.ServiceException;
import dev.braid.jobs.GenerationService;
import dev.braid.jobs.JobEvent;
import dev.braid.jobs.JobRequestParser;
import dev.braid.jobs.JobService;
import dev.braid.jobs.JobView;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asynchronous generation: {@code POST /api/jobs} answers 202 with the job's id at once; the job
 * runs on whichever replica claims it. The body is a {@code /v1/completions} or
 * {@code /v1/chat/completions} request, validated now so a bad one fails with 400 here.
 */
@RestController
@RequestMapping(path = "/api/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
class JobsController {

    private final JobService jobs;
    private final JobRequestParser parser;
    private final JsonMapper mapper;
    private final GenerationService generations;

    JobsController(JobService jobs, JobRequestParser parser, JsonMapper mapper, GenerationService generations) {
        this.jobs = jobs;
        this.generations = generations;
        this.parser = parser;
        this.mapper = mapper;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JobView>> submit(@RequestBody String body) {
        String model = parser.model(body);
        generations.check(parser.parse(body));
        return Mono.fromCallable(() -> jobs.submit(model, body)).subscribeOn(Schedulers.boundedElastic())
                .map(view -> ResponseEntity.accepted().location(URI.create("/api/jobs/" + view.id())).body(view));
    }

    @GetMapping("/{id}")
    Mono<JobView> get(@PathVariable String id) {
        UUID uuid = uuid(id);
        return Mono.fromCallable(() -> jobs.get(uuid)).subscribeOn(Schedulers.boundedElastic());
    }

    @DeleteMapping("/{id}")
    Mono<ResponseEntity<JobView>> cancel(@PathVariable String id) {
        UUID uuid = uuid(id);
        return Mono.fromCallable(() -> jobs.cancel(uuid)).subscribeOn(Schedulers.boundedElastic())
                .map(view -> ResponseEntity.accepted().body(view));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> events(@PathVariable String id) {
        UUID uuid = uuid(id);
        return jobs.events(uuid).map(this::sse);
    }

    private ServerSentEvent<String> sse(JobEvent event) {
        return ServerSentEvent.builder(mapper.writeValueAsString(event.data())).event(event.name()).build();
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid("id", "job id must be a UUID, got '" + id + "'");
        }
    }
}
