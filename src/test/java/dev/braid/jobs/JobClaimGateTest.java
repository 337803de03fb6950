package dev.braid.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.registry.ModelRegistry;
import dev.braid.support.ServiceTest;
import dev.braid.support.TestDatabases;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a replica claims: nothing while it is not ready, nothing its workers cannot take now, and no
 * attempt for a claim it could not start; and the stale-queue gauge. The runner's timer is off (an
 * hour), so only the test's polls and the runner's own wake-ups claim. The one worker decodes one
 * request at a time with one waiting behind it, so its room is easy to fill.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
@DirtiesContext
class JobClaimGateTest {

    static final String MODEL = ServiceTest.MODEL;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ServiceTest.properties(registry, TestDatabases.create());
        registry.add("braid.jobs.replica-id", () -> "gate-replica");
        registry.add("braid.jobs.poll-interval", () -> "1h");
        registry.add("braid.engine.max-batch-tasks", () -> "1");
        registry.add("braid.engine.max-waiting-tasks", () -> "1");
    }

    @Autowired
    JobRunner runner;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JsonMapper mapper;
    @Autowired
    ApplicationContext context;
    @Autowired
    GenerationService generations;
    @Autowired
    JobRequestParser parser;
    @Autowired
    ModelRegistry registry;
    @Autowired
    JobQueueGauges gauges;
    @Autowired
    MeterRegistry meters;
    @Autowired
    WebTestClient client;

    @AfterEach
    void emptyQueue() {
        jdbc.update("DELETE FROM jobs");
    }

    @Test
    void aReplicaThatIsNotReadyClaimsNothingAndClaimsOnceReady() throws Exception {
        UUID id = queued(MODEL, request(6), Instant.now());
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        try {
            assertThat(runner.poll()).isZero();
            assertThat(row(id)).containsEntry("state", "queued").containsEntry("attempts", 0)
                    .containsEntry("lease_owner", null);
        } finally {
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
        }
        // becoming ready wakes the runner: no poll from the test
        await(() -> "succeeded".equals(row(id).get("state")));
        assertThat(row(id)).containsEntry("attempts", 1);
    }

    @Test
    void aFullReplicaClaimsNothingAndCountsNoAttempt() throws Exception {
        Generation running = generations.start(parser.parse(longRequest()));
        await(() -> registry.served(MODEL).orElseThrow().workerStats().getFirst().runningTasks() == 1);
        Generation waiting = generations.start(parser.parse(longRequest()));
        UUID fresh = queued(MODEL, request(6), Instant.now());
        // a job of a replica that died: claimable, and already one attempt in
        UUID orphan = leased(MODEL, request(6), "dead-replica", Instant.now().minusSeconds(5), 1);
        try {
            assertThat(registry.served(MODEL).orElseThrow().pool().room()).isZero();
            assertThat(runner.poll()).isZero();
            assertThat(row(fresh)).containsEntry("state", "queued").containsEntry("attempts", 0);
            assertThat(row(orphan)).containsEntry("state", "running").containsEntry("attempts", 1)
                    .containsEntry("lease_owner", "dead-replica");
        } finally {
            running.cancel();
            waiting.cancel();
        }
        // room again: each job runs once, counted once
        await(() -> {
            runner.poll();
            return "succeeded".equals(row(fresh).get("state")) && "succeeded".equals(row(orphan).get("state"));
        });
        assertThat(row(fresh)).containsEntry("attempts", 1);
        assertThat(row(orphan)).containsEntry("attempts", 2);
    }

    @Test
    void aPollClaimsNoMoreThanTheModelsWorkersTakeNow() throws Exception {
        Instant now = Instant.now();
        // the oldest is the long one, so it still holds the worker when the poll returns
        List<UUID> ids = List.of(queued(MODEL, longRequest(), now.minusMillis(3)),
                queued(MODEL, request(6), now.minusMillis(2)), queued(MODEL, request(6), now.minusMillis(1)));

        assertThat(runner.poll()).as("one worker with one waiting place").isEqualTo(1);
        assertThat(row(ids.get(0))).containsEntry("state", "running").containsEntry("attempts", 1);

        await(() -> {
            runner.poll();
            return ids.stream().allMatch(id -> "succeeded".equals(row(id).get("state")));
        });
        for (UUID id : ids) {
            assertThat(row(id)).as("job %s", id).containsEntry("attempts", 1);
        }
    }

    @Test
    void aJobWhoseStartedRunsAllLostTheirLeaseFailsSayingSo() throws Exception {
        // the default max-attempts is 3: three runs started and each lost its lease
        UUID id = leased(MODEL, request(6), "dead-replica", Instant.now().minusSeconds(5), 3);

        assertThat(runner.poll()).isZero();

        Map<String, Object> job = jdbc.queryForMap("SELECT state, attempts, error FROM jobs WHERE id = ?", id);
        assertThat(job).containsEntry("state", "failed").containsEntry("attempts", 3);
        assertThat((String) job.get("error")).contains("3 started runs", "lost its lease",
                "stopped renewing", "dead-replica");
    }

    @Test
    void jobsQueuedLongerThanTheAlertAgeAreCountedAndMarked() {
        Instant now = Instant.now();
        // a model no replica serves, so nothing claims them
        UUID stale = queued("unserved-model", request(6), now.minus(Duration.ofMinutes(6)));
        UUID recent = queued("unserved-model", request(6), now.minus(Duration.ofMinutes(4)));

        gauges.refresh();

        assertThat(meters.get("braid.jobs.queued.stale").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("braid.jobs.queued").gauge().value()).isEqualTo(2.0);
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
                .value(text -> assertThat(text).containsPattern("(?m)^braid_jobs_queued_stale(\\{.*})? 1\\.0$")
                        .containsPattern("(?m)^braid_jobs_queued(\\{.*})? 2\\.0$"));

        WebTestClient admin = client.mutate().defaultHeaders(h -> h.setBasicAuth("admin", ServiceTest.ADMIN_PASSWORD))
                .build();
        JsonNode rows = mapper.readTree(admin.get().uri("/api/admin/jobs?model=unserved-model").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody());
        Map<String, Boolean> staleById = new java.util.HashMap<>();
        rows.forEach(r -> staleById.put(r.path("id").asString(), r.path("stale").asBoolean()));
        assertThat(staleById).containsEntry(stale.toString(), true).containsEntry(recent.toString(), false);
        admin.get().uri("/api/admin/jobs/queue").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.queued").isEqualTo(2)
                .jsonPath("$.stale").isEqualTo(1)
                .jsonPath("$.stale_after_seconds").isEqualTo(300);
    }

    private String request(int maxTokens) {
        return mapper.writeValueAsString(Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", maxTokens,
                "temperature", 0, "strategy", "ar"));
    }

    /** Sampled, so the fixture does not end it early: a second or so of decoding. */
    private String longRequest() {
        return mapper.writeValueAsString(Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 240,
                "temperature", 1.0, "seed", 1, "strategy", "ar"));
    }

    /** A job as submitted at {@code at} (a past time: one waiting that long). */
    private UUID queued(String model, String request, Instant at) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO jobs (id, state, model, request, attempts, created_at, updated_at) "
                + "VALUES (?, 'queued', ?, ?, 0, ?, ?)", id, model, request, Timestamp.from(at), Timestamp.from(at));
        return id;
    }

    private UUID leased(String model, String request, String owner, Instant leaseUntil, int attempts) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now().minusSeconds(10));
        jdbc.update("INSERT INTO jobs (id, state, model, request, attempts, lease_owner, lease_until, created_at, "
                        + "started_at, updated_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
                id, model, request, attempts, owner, Timestamp.from(leaseUntil), now, now, now);
        return id;
    }

    private Map<String, Object> row(UUID id) {
        return jdbc.queryForMap("SELECT state, attempts, lease_owner FROM jobs WHERE id = ?", id);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
