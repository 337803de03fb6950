package dev.braid.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import dev.braid.support.TestDatabases;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The liveness and readiness groups the Helm chart's probes call, and the shutdown drain: jobs
 * still running at the deadline go back to the queue, a request in flight finishes, readiness
 * drops. A context of its own (a fixed replica id; the last test drains it) closed afterwards.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext
class HealthAndDrainTest {

    static final String REPLICA = "drain-test-replica";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ServiceTest.properties(registry, TestDatabases.create());
        registry.add("braid.jobs.replica-id", () -> REPLICA);
        registry.add("braid.ops.drain-timeout", () -> "20s");
    }

    @Autowired
    WebTestClient client;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    ShutdownDrain drain;
    @LocalServerPort
    int port;

    @Test
    @Order(1)
    void livenessHoldsOnlyTheProcessStateAndReadinessAddsWorkersAndDatabase() {
        client.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.livenessState.status").isEqualTo("UP")
                // a database or worker problem must never restart the pod
                .jsonPath("$.components.db").doesNotExist()
                .jsonPath("$.components.workerPool").doesNotExist();
        client.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.readinessState.status").isEqualTo("UP")
                .jsonPath("$.components.workerPool.status").isEqualTo("UP")
                .jsonPath("$.components.db.status").isEqualTo("UP")
                // details are the admin's
                .jsonPath("$.components.workerPool.details").doesNotExist();
    }

    @Test
    @Order(2)
    void theAdminSeesEachWorkersQueueAndKvUse() {
        client.get().uri("/actuator/health/readiness")
                .headers(h -> h.setBasicAuth("admin", ServiceTest.ADMIN_PASSWORD)).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.workerPool.details.running").isEqualTo(0)
                .jsonPath("$.components.workerPool.details.waiting").isEqualTo(0)
                .jsonPath("$.components.workerPool.details.models." + ServiceTest.MODEL + ".*.kvBlocksTotal")
                .isEqualTo(List.of(32768))
                .jsonPath("$.components.workerPool.details.models." + ServiceTest.MODEL + ".*.kvUsage")
                .isEqualTo(List.of(0.0))
                .jsonPath("$.components.db.details.database").isEqualTo("PostgreSQL");
    }

    @Test
    @Order(3)
    void jobsStillRunningAtTheDeadlineGoBackToTheQueueWithTheirAttemptReturned() {
        Instant soon = Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        UUID mine = job(REPLICA, soon, 1, false);
        UUID cancelling = job(REPLICA, soon, 1, true);
        UUID others = job("another-replica", soon, 2, false);

        int handedBack = drain.drain(Duration.ofMillis(800));

        assertThat(handedBack).isEqualTo(1);
        Map<String, Object> row = row(mine);
        assertThat(row.get("state")).isEqualTo("queued");
        assertThat(row.get("lease_owner")).isNull();
        assertThat(row.get("attempts")).isEqualTo(0);
        // a job whose cancellation was asked ends as cancelled where it runs, not elsewhere
        assertThat(row(cancelling).get("state")).isEqualTo("running");
        // while waiting, the drain kept this replica's leases alive (the runner's renewal has stopped)
        assertThat(((Timestamp) row(cancelling).get("lease_until")).toInstant()).isAfter(soon);
        // another replica's job is none of this replica's business
        Map<String, Object> theirs = row(others);
        assertThat(theirs.get("state")).isEqualTo("running");
        assertThat(theirs.get("lease_owner")).isEqualTo("another-replica");
        assertThat(((Timestamp) theirs.get("lease_until")).toInstant()).isEqualTo(soon);
        jdbc.update("DELETE FROM jobs WHERE id IN (?, ?, ?)", mine, cancelling, others);
    }

    /**
     * The streamed answer, or a failure that says how far it got and where Braid's and the HTTP
     * server's threads stand: in full runs of the suite this test has timed out now and then with the
     * drain done and the answer unfinished, for a cause not found yet.
     */
    private static List<String> answer(CompletableFuture<List<String>> stream, List<String> received)
            throws Exception {
        try {
            return stream.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            StringBuilder threads = new StringBuilder();
            Thread.getAllStackTraces().forEach((thread, trace) -> {
                if (thread.getName().contains("braid") || thread.getName().contains("reactor-http")) {
                    threads.append("\n").append(thread.getName()).append(' ').append(thread.getState());
                    for (int i = 0; i < Math.min(8, trace.length); i++) {
                        threads.append("\n    at ").append(trace[i]);
                    }
                }
            });
            throw new AssertionError("the streamed answer did not end within 30 s of the drain: " + received.size()
                    + " chunks arrived, the last " + (received.isEmpty() ? "none" : received.getLast()) + threads, e);
        }
    }

    @Test
    @Order(4)
    void shutdownLetsTheRequestInFlightFinishThenReadinessStaysDown() throws Exception {
        WebClient web = WebClient.create("http://127.0.0.1:" + port);
        Map<String, Object> body = Map.of("model", ServiceTest.MODEL, "prompt", "Once upon a time",
                "max_tokens", 240, "temperature", 1.0, "seed", 1, "strategy", "ar", "n", 8, "stream", true);
        List<String> received = new CopyOnWriteArrayList<>();
        CompletableFuture<List<String>> stream = web.post().uri("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).retrieve().bodyToFlux(String.class)
                .doOnNext(received::add).collectList().toFuture();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (drain.inFlight() == 0 && !stream.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(stream).as("the request is still decoding when shutdown starts").isNotDone();

        drain.stop();

        // stop() returned only once the workers were empty, and the client got its whole answer
        assertThat(drain.inFlight()).isZero();
        List<String> chunks = answer(stream, received);
        assertThat(chunks.getLast()).isEqualTo("[DONE]");
        assertThat(String.join("\n", chunks)).contains("\"finish_reason\":\"length\"");
        assertThat(drain.isRunning()).isFalse();

        client.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.status").isEqualTo("OUT_OF_SERVICE")
                .jsonPath("$.components.readinessState.status").isEqualTo("OUT_OF_SERVICE")
                .jsonPath("$.components.workerPool.status").isEqualTo("OUT_OF_SERVICE");
        // draining is not broken: the process must not be restarted mid-drain
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        // and new work goes to another replica
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", ServiceTest.MODEL, "prompt", "Hi", "max_tokens", 4)).exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.error.code").isEqualTo("not_ready");
    }

    private UUID job(String owner, Instant leaseUntil, int attempts, boolean cancelRequested) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        // a model this replica does not serve, so the job runner never touches these rows
        jdbc.update("INSERT INTO jobs (id, state, model, request, attempts, cancel_requested, lease_owner, lease_until, "
                        + "created_at, started_at, updated_at) VALUES (?, 'running', 'elsewhere', '{}', ?, ?, ?, ?, ?, ?, ?)",
                id, attempts, cancelRequested, owner, Timestamp.from(leaseUntil), now, now, now);
        return id;
    }

    private Map<String, Object> row(UUID id) {
        return jdbc.queryForMap("SELECT state, lease_owner, lease_until, attempts FROM jobs WHERE id = ?", id);
    }
}
