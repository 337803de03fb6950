package dev.braid.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class JobsApiTest extends ServiceTest {

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper mapper;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    JobRunner runner;

    private JsonNode submit(Map<String, Object> body) {
        return mapper.readTree(client.post().uri("/api/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange().expectStatus().isAccepted()
                .expectHeader().exists("Location")
                .expectBody().returnResult().getResponseBody());
    }

    private JsonNode get(String id) {
        return mapper.readTree(client.get().uri("/api/jobs/" + id).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
    }

    private JsonNode await(String id, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode job;
        do {
            job = get(id);
            if (job.path("state").asString().equals(state)) {
                return job;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("job " + id + " did not reach " + state + ": " + job);
    }

    @Test
    void jobIsClaimedRunAndFinishedWithEvents() throws Exception {
        JsonNode job = submit(Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 12,
                "temperature", 0, "strategy", "ar"));
        String id = job.path("id").asString();
        assertThat(job.path("state").asString()).isIn("queued", "running", "succeeded");
        List<ServerSentEvent<String>> events = client.get().uri("/api/jobs/" + id + "/events").exchange()
                .expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {
                }).getResponseBody().collectList().block(Duration.ofSeconds(60));
        List<String> names = events.stream().map(ServerSentEvent::event).toList();
        assertThat(names.get(names.size() - 1)).isEqualTo("finished");
        JsonNode done = await(id, "succeeded");
        assertThat(done.path("attempts").asInt()).isEqualTo(1);
        String text = done.path("result").path("choices").get(0).path("text").asString();
        if (names.contains("queued")) {
            assertThat(names).containsSubsequence("queued", "started", "finished");
            StringBuilder streamed = new StringBuilder();
            events.stream().filter(e -> "tokens".equals(e.event()))
                    .forEach(e -> streamed.append(mapper.readTree(e.data()).path("text").asString()));
            assertThat(streamed.toString()).isEqualTo(text);
        }
        assertThat(done.path("result").path("usage").path("completion_tokens").asInt()).isPositive();
        assertThat(done.path("result").path("braid").path("strategy").asString()).isEqualTo("ar");
    }

    @Test
    void queuedJobIsCancelledAtOnce() {
        UUID id = UUID.randomUUID();
        // a job for a model no replica serves stays queued
        insert(id, "queued", "unserved-model", null, null, 0);
        JsonNode cancelled = mapper.readTree(client.delete().uri("/api/jobs/" + id).exchange()
                .expectStatus().isAccepted().expectBody().returnResult().getResponseBody());
        assertThat(cancelled.path("state").asString()).isEqualTo("cancelled");
        assertThat(get(id.toString()).path("finished_at").isNull()).isFalse();
    }

    @Test
    void runningJobIsCancelled() throws Exception {
        JsonNode job = submit(Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 240,
                "temperature", 1.0, "seed", 1, "strategy", "ar"));
        String id = job.path("id").asString();
        await(id, "running");
        client.delete().uri("/api/jobs/" + id).exchange().expectStatus().isAccepted();
        JsonNode done = await(id, "cancelled");
        assertThat(done.path("result").path("usage").path("completion_tokens").asInt()).isLessThan(240);
    }

    @Test
    void jobOfADeadReplicaIsClaimedAgainAfterItsLeaseExpires() throws Exception {
        UUID id = UUID.randomUUID();
        String request = mapper.writeValueAsString(Map.of("model", MODEL, "prompt", "Hello", "max_tokens", 6,
                "temperature", 0, "strategy", "ar"));
        insert(id, "running", MODEL, "dead-replica", Instant.now().minusSeconds(5), 1);
        jdbc.update("update jobs set request = ? where id = ?", request, id);
        runner.wake();
        JsonNode done = await(id.toString(), "succeeded");
        assertThat(done.path("attempts").asInt()).isEqualTo(2);
        assertThat(done.path("result").path("choices").get(0).path("text").isString()).isTrue();
    }

    @Test
    void liveLeaseOfAnotherReplicaIsNotTaken() throws Exception {
        UUID id = UUID.randomUUID();
        insert(id, "running", MODEL, "other-replica", Instant.now().plusSeconds(600), 1);
        jdbc.update("update jobs set request = ? where id = ?", mapper.writeValueAsString(Map.of("model", MODEL,
                "prompt", "Hello", "max_tokens", 2)), id);
        runner.wake();
        Thread.sleep(1000);
        JsonNode job = get(id.toString());
        assertThat(job.path("state").asString()).isEqualTo("running");
        assertThat(job.path("attempts").asInt()).isEqualTo(1);
        jdbc.update("delete from jobs where id = ?", id);
    }

    private void insert(UUID id, String state, String model, String owner, Instant leaseUntil, int attempts) {
        Instant now = Instant.now();
        jdbc.update("insert into jobs (id, state, model, request, attempts, cancel_requested, lease_owner, lease_until,"
                        + " created_at, updated_at) values (?, ?, ?, ?, ?, false, ?, ?, ?, ?)",
                id, state, model, "{\"model\": \"" + model + "\", \"prompt\": \"x\"}", attempts, owner,
                leaseUntil == null ? null : java.sql.Timestamp.from(leaseUntil), java.sql.Timestamp.from(now),
                java.sql.Timestamp.from(now));
    }
}
