package dev.braid.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The console's pages, libraries and list endpoints, over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class ConsoleApiTest extends ServiceTest {

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper mapper;

    private WebTestClient admin() {
        return client.mutate().defaultHeaders(h -> h.setBasicAuth("admin", ADMIN_PASSWORD)).build();
    }

    @Test
    void consoleAndItsLibrariesNeedTheAdmin() {
        client.get().uri("/console/index.html").exchange().expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Basic realm=\"braid\"");
        client.get().uri("/webjars/chart.js/dist/chart.umd.min.js").exchange().expectStatus().isUnauthorized();
        client.mutate().defaultHeaders(h -> h.setBasicAuth("admin", "wrong")).build()
                .get().uri("/console/index.html").exchange().expectStatus().isUnauthorized();

        String page = admin().get().uri("/console/index.html").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("id=\"tab-dashboard\"", "/webjars/chart.js/dist/chart.umd.min.js");
        admin().get().uri("/console").exchange().expectStatus().isFound()
                .expectHeader().valueEquals("Location", "/console/index.html");
        admin().get().uri("/console/js/dashboard.js").exchange().expectStatus().isOk();
    }

    @Test
    void strategiesAreListedWithWhatEachNeeds() {
        JsonNode list = mapper.readTree(admin().get().uri("/api/strategies").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
        assertThat(list.findValuesAsString("name"))
                .containsExactly("ar", "lookahead", "jacobi", "apar", "sgd", "apar-serial");
        JsonNode serial = list.get(5);
        assertThat(serial.path("required_capability").asString()).isEqualTo("apar");
        assertThat(serial.path("requestable").asBoolean()).as("run in place of a requested strategy").isFalse();
        assertThat(list.get(4).path("requestable").asBoolean()).isTrue();
        assertThat(list.get(2).path("greedy_only").asBoolean()).as("jacobi").isTrue();
        assertThat(list.get(2).path("lossless").asBoolean()).as("jacobi keeps AR's greedy answers").isTrue();
        assertThat(list.get(3).path("lossless").asBoolean()).as("apar writes its own").isFalse();
        assertThat(list.get(0).path("reports_logprobs").asBoolean()).as("ar").isTrue();
        assertThat(list.get(0).path("required_capability").isNull()).isTrue();
    }

    @Test
    void webJarsResolveWithoutAVersion() {
        String chart = admin().get().uri("/webjars/chart.js/dist/chart.umd.min.js").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(chart).contains("Chart.js");
        admin().get().uri("/webjars/cytoscape/dist/cytoscape.min.js").exchange().expectStatus().isOk();
    }

    @Test
    void requestsListFiltersTheNewestMetricsRows() throws InterruptedException {
        chat("ar");
        chat("lookahead");
        JsonNode lookahead = await(() -> requests("?model=" + MODEL + "&strategy=lookahead&limit=5"),
                rows -> !rows.isEmpty());
        for (JsonNode row : lookahead) {
            assertThat(row.path("strategy").asString()).isEqualTo("lookahead");
            assertThat(row.path("model").asString()).isEqualTo(MODEL);
        }
        JsonNode first = lookahead.get(0);
        assertThat(first.path("outcome").asString()).isEqualTo("ok");
        assertThat(first.path("steps").asInt()).isPositive();
        assertThat(first.path("tokens_per_step").asDouble())
                .isEqualTo(first.path("completion_tokens").asDouble() / first.path("steps").asDouble());
        assertThat(first.path("created_at").asString()).contains("T");

        JsonNode ar = await(() -> requests("?strategy=ar&limit=3"), rows -> !rows.isEmpty());
        assertThat(ar.size()).isLessThanOrEqualTo(3);
        assertThat(ar.findValuesAsString("strategy")).containsOnly("ar");
        assertThat(requests("?model=no-such-model")).isEmpty();

        // newest first
        JsonNode all = requests("?limit=50");
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i - 1).path("created_at").asString().compareTo(all.get(i).path("created_at").asString()))
                    .isGreaterThanOrEqualTo(0);
        }
        client.get().uri("/api/metrics/requests?limit=0").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("limit");
    }

    @Test
    void jobsListIsAdminOnlyAndFiltersByState() throws InterruptedException {
        client.get().uri("/api/admin/jobs").exchange().expectStatus().isUnauthorized();
        String id = mapper.readTree(client.post().uri("/api/jobs").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("model", MODEL, "prompt", "Once upon", "max_tokens", 4))
                        .exchange().expectStatus().isAccepted().expectBody().returnResult().getResponseBody())
                .path("id").asString();
        JsonNode succeeded = await(() -> jobs("?state=succeeded&model=" + MODEL),
                rows -> rows.findValuesAsString("id").contains(id));
        assertThat(succeeded.findValuesAsString("state")).containsOnly("succeeded");
        JsonNode row = succeeded.findParents("id").stream().filter(r -> r.path("id").asString().equals(id))
                .findFirst().orElseThrow();
        assertThat(row.path("attempts").asInt()).isEqualTo(1);
        assertThat(row.has("result")).as("the list leaves result bodies to GET /api/jobs/{id}").isFalse();
        assertThat(jobs("?state=queued&model=" + MODEL).findValuesAsString("id")).doesNotContain(id);
    }

    @Test
    void structuralStrategiesCarryTheirTraceInTheBraidField() throws InterruptedException {
        // a model of its own, so the shared fixture keeps no draft partner or capability for other tests
        String name = "traced-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        admin().post().uri("/api/admin/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name, "path", FIXTURE.toAbsolutePath().toString(),
                        "capabilities", java.util.List.of("apar"), "draft_partner", MODEL))
                .exchange().expectStatus().isCreated();
        try {
            JsonNode sgdResponse = chatAs(name, "sgd");
            JsonNode sgd = sgdResponse.path("braid").path("trace");
            assertThat(sgd.path("type").asString()).isEqualTo("sgd");
            assertThat(sgd.path("skeleton_steps").asInt()).isPositive();
            // the fixture's skeleton is rarely well-formed: then the trace says why it fell back
            assertThat(sgd.path("nodes").isEmpty()).isEqualTo(sgd.hasNonNull("fallback_reason"));
            assertThat(sgd.path("generated_tokens").asInt())
                    .isEqualTo(sgdResponse.path("usage").path("completion_tokens").asInt());

            JsonNode aparResponse = chatAs(name, "apar");
            JsonNode apar = aparResponse.path("braid").path("trace");
            assertThat(apar.path("type").asString()).isEqualTo("apar");
            assertThat(apar.path("branches").isEmpty()).isFalse();
            JsonNode root = apar.path("branches").get(0);
            assertThat(root.path("parent").asInt()).isEqualTo(-1);
            assertThat(root.path("start_step").asInt()).isEqualTo(1);
            int branchTokens = 0;
            for (JsonNode b : apar.path("branches")) {
                branchTokens += b.path("tokens").asInt();
                assertThat(b.path("end_step").asInt()).isLessThanOrEqualTo(aparResponse.path("braid").path("steps").asInt());
            }
            // branches count their control tokens too; generated_tokens leaves them out
            assertThat(branchTokens).isGreaterThanOrEqualTo(apar.path("generated_tokens").asInt());
            assertThat(apar.path("generated_tokens").asInt())
                    .isEqualTo(aparResponse.path("usage").path("completion_tokens").asInt());
            assertThat(root.path("text").asString())
                    .isEqualTo(aparResponse.path("choices").get(0).path("message").path("content").asString());
            // a job's result carries the same trace
            String job = mapper.readTree(client.post().uri("/api/jobs").contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(Map.of("model", name, "prompt", "List three ways to sleep better.",
                                    "max_tokens", 16, "temperature", 0, "strategy", "apar"))
                            .exchange().expectStatus().isAccepted().expectBody().returnResult().getResponseBody())
                    .path("id").asString();
            JsonNode jobTrace = await(() -> mapper.readTree(client.get().uri("/api/jobs/" + job).exchange()
                            .expectStatus().isOk().expectBody().returnResult().getResponseBody()),
                    j -> j.path("state").asString().equals("succeeded"))
                    .path("result").path("braid").path("trace");
            assertThat(jobTrace.path("type").asString()).isEqualTo("apar");
            assertThat(jobTrace.path("branches").get(0).path("parent").asInt()).isEqualTo(-1);

            JsonNode lookaheadResponse = chatAs(name, "lookahead");
            JsonNode lookahead = lookaheadResponse.path("braid").path("trace");
            assertThat(lookahead.path("type").asString()).isEqualTo("lookahead");
            assertThat(lookahead.path("accepted").size()).isEqualTo(lookaheadResponse.path("braid").path("steps").asInt());
            StringBuilder acceptedText = new StringBuilder();
            int acceptedTokens = 0;
            for (JsonNode a : lookahead.path("accepted")) {
                acceptedText.append(a.path("text").asString());
                acceptedTokens += a.path("tokens").asInt();
                assertThat(a.path("from_ngram").asInt()).isBetween(0, a.path("tokens").asInt());
            }
            assertThat(acceptedTokens).isEqualTo(lookaheadResponse.path("usage").path("completion_tokens").asInt());
            assertThat(acceptedText.toString())
                    .isEqualTo(lookaheadResponse.path("choices").get(0).path("message").path("content").asString());

            JsonNode ar = chatAs(name, "ar").path("braid");
            assertThat(ar.has("trace")).as("AR keeps no trace").isFalse();
        } finally {
            admin().delete().uri("/api/admin/models/" + name).exchange().expectStatus().isNoContent();
        }
    }

    private JsonNode chatAs(String model, String strategy) {
        return mapper.readTree(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", model, "messages", java.util.List.of(Map.of("role", "user", "content",
                                "List three ways to sleep better.")), "max_tokens", 24, "temperature", 0,
                        "strategy", strategy))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    private void chat(String strategy) {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", MODEL, "messages", java.util.List.of(Map.of("role", "user", "content", "Hi")),
                        "max_tokens", 8, "temperature", 0, "strategy", strategy))
                .exchange().expectStatus().isOk();
    }

    private JsonNode requests(String query) {
        return mapper.readTree(client.get().uri("/api/metrics/requests" + query).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
    }

    private JsonNode jobs(String query) {
        return mapper.readTree(admin().get().uri("/api/admin/jobs" + query).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
    }

    /** Metrics rows and job states are written off the request path: poll until they show. */
    private static JsonNode await(Supplier<JsonNode> read, Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode value;
        do {
            value = read.get();
            if (done.test(value)) {
                return value;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("condition not met: " + value);
    }
}
