package dev.braid;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.registry.ModelRegistry;
import dev.braid.registry.ModelView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as the README starts it on a fresh {@code ./data}: the embedded H2 database (here in a
 * temporary folder), the bundled models, the seed {@code tiny} beside them, a generated admin
 * password. A second seed names a bundled model with another folder and capability, which must
 * change nothing. A first request to a model waits while its worker loads and calibrates, several
 * seconds a model on a 2-core host, so the client waits up to a minute rather than WebTestClient's 5 s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
@ExtendWith(OutputCaptureExtension.class)
class BraidApplicationTest {

    private static final String FIXTURE = "src/test/resources/hf-tiny/llama-tiny";

    @Autowired
    WebTestClient client;
    @Autowired
    ModelRegistry registry;
    @Autowired
    JsonMapper mapper;

    @DynamicPropertySource
    static void embeddedDatabase(DynamicPropertyRegistry registry) {
        try {
            Path dir = Files.createTempDirectory("braid-h2");
            registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("braid")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("braid.models.seed[0].name", () -> "tiny");
        registry.add("braid.models.seed[0].path", () -> FIXTURE);
        registry.add("braid.models.seed[1].name", () -> "braid-base");
        registry.add("braid.models.seed[1].path", () -> FIXTURE);
        registry.add("braid.models.seed[1].capabilities", () -> "cllm");
    }

    @Test
    void serviceStartsAndReportsHealthy() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void aSeedAddsToTheBundledModels() {
        client.get().uri("/v1/models").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.object").isEqualTo("list")
                .jsonPath("$.data[*].id").value(org.hamcrest.Matchers.containsInAnyOrder(
                        "braid-base", "braid-draft", "braid-cllm", "braid-apar", "tiny"));
        assertThat(registry.get("tiny").path()).isEqualTo(Path.of(FIXTURE).toAbsolutePath().toString());
        assertThat(registry.get("braid-cllm").capabilities()).containsExactly("cllm");
        assertThat(registry.get("braid-apar").capabilities()).containsExactly("apar");
    }

    @Test
    void aSeedNamingARegisteredModelChangesNothingAndIsLogged(CapturedOutput output) {
        ModelView base = registry.get("braid-base");
        assertThat(base.path()).isEqualTo("bundled:braid-base");
        assertThat(base.capabilities()).isEmpty();
        assertThat(base.draftPartner()).isEqualTo("braid-draft");
        assertThat(output.getAll()).contains("seed model braid-base is already registered (bundled:braid-base); "
                + "left as it is");
    }

    @Test
    void theBundledBaseModelAnswersAChatRequestInItsTrainedFormat() {
        client.post().uri("/v1/chat/completions").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue("""
                        {"model": "braid-base", "max_tokens": 80, "strategy": "ar",
                         "messages": [{"role": "user", "content": "How do I back up a database?"}]}""")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.choices[0].message.content").value(org.hamcrest.Matchers.containsString(
                        "1. Pick a time when the load is low.\n2. Run the database dump tool"))
                .jsonPath("$.choices[0].finish_reason").isEqualTo("stop")
                .jsonPath("$.braid.strategy").isEqualTo("ar");
    }

    @Test
    void aRequestWithoutTemperatureTakesTheBundledModelsGreedyDefault() {
        // models/*/generation_config.json ships temperature 0: the same tokens as an explicit greedy request
        JsonNode byDefault = chat(Map.of());
        JsonNode greedy = chat(Map.of("temperature", 0));
        assertThat(tokens(byDefault)).hasSize(24).isEqualTo(tokens(greedy));
        assertThat(content(byDefault)).isEqualTo(content(greedy));

        // an explicit temperature wins over the model's default: auto sees a sampled request
        JsonNode sampled = chat(Map.of("temperature", 1.5, "strategy", "auto", "logprobs", false));
        assertThat(sampled.path("braid").path("strategy").asString()).isEqualTo("ar");
        assertThat(sampled.path("braid").path("reason").asString())
                .contains("sampling (temperature 1.5) rules out lookahead and jacobi (greedy only)");
    }

    @Test
    void aRepeatedRequestStartsFromThePrefixCacheAndAnswersTheSame() {
        Map<String, Object> question = Map.of("messages", List.of(
                Map.of("role", "user", "content", "Which log lines show a replica that was killed mid-request?")));
        JsonNode first = chat(question);
        JsonNode again = chat(question);
        int prompt = again.path("usage").path("prompt_tokens").asInt();
        assertThat(again.path("braid").path("cached_tokens").asInt()).as("all but the token whose logits start the answer")
                .isEqualTo(prompt - 1);
        assertThat(first.path("braid").path("cached_tokens").asInt()).isLessThan(prompt - 1);
        assertThat(tokens(again)).hasSize(24).isEqualTo(tokens(first));
    }

    @Test
    void autoGivesARequestWithoutTemperatureAParallelStrategyOnTheBundledModels() {
        JsonNode response = mapper.readTree(client.post().uri("/v1/chat/completions")
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "braid-cllm", "max_tokens", 16,
                        "messages", List.of(Map.of("role", "user", "content", "What is caching?"))))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
        assertThat(response.path("braid").path("strategy").asString()).isEqualTo("jacobi");
        assertThat(response.path("braid").path("reason").asString()).isEqualTo("model is CLLM-tuned and decoding is greedy");
    }

    @Test
    void theAparModelWritesEveryBranchUnderEveryStrategy() {
        String question = "List 3 ways to make database queries faster.";
        JsonNode apar = aparChat(question, Map.of("strategy", "apar"));
        String answer = content(apar);
        assertThat(apar.path("braid").path("strategy").asString()).isEqualTo("apar");
        assertThat(answer).contains("1. Read the query plan: Use explain to see how the database runs a query.",
                "3. Limit the result size: Page through large results.");
        for (String strategy : List.of("ar", "jacobi", "lookahead")) {
            JsonNode response = aparChat(question, Map.of("strategy", strategy));
            JsonNode braid = response.path("braid");
            assertThat(content(response)).as(strategy).isEqualTo(answer);
            assertThat(response.path("usage").path("completion_tokens").asInt()).as(strategy)
                    .isEqualTo(apar.path("usage").path("completion_tokens").asInt());
            assertThat(braid.path("strategy").asString()).as(strategy).isEqualTo("apar-serial");
            assertThat(braid.path("reason").asString()).as(strategy).isEqualTo("requested; model 'braid-apar' is "
                    + "APAR-tuned: " + strategy + " would stop each item at its [Fork], so apar-serial writes the "
                    + "branches one after another with plain steps");
            assertThat(braid.path("trace").path("type").asString()).isEqualTo("apar");
            assertThat(braid.path("trace").path("branches")).hasSize(4);
        }

        // logprobs only plain ar reports: it stays ar, titles only, and says so
        JsonNode logprobs = aparChat(question, Map.of("strategy", "ar", "logprobs", true, "max_tokens", 40));
        assertThat(logprobs.path("braid").path("strategy").asString()).isEqualTo("ar");
        assertThat(logprobs.path("braid").path("reason").asString()).isEqualTo("requested; model 'braid-apar' is"
                + " APAR-tuned, but only plain ar reports logprobs, so the detail behind each [Fork] is not written");
        assertThat(content(logprobs)).doesNotContain("Use explain to see how the database runs a query.");

        // auto: the list question goes to apar by the rules (or, exploring, to ar, which runs serially)
        JsonNode auto = aparChat(question, Map.of());
        assertThat(content(auto)).isEqualTo(answer);
        assertThat(auto.path("braid").path("strategy").asString()).isIn("apar", "apar-serial");
        // auto picking ar (n > 1): both choices hold the whole answer
        JsonNode two = aparChat(question, Map.of("n", 2));
        assertThat(two.path("braid").path("strategy").asString()).isEqualTo("apar-serial");
        assertThat(two.path("braid").path("reason").asString()).startsWith("n > 1: ")
                .contains("model 'braid-apar' is APAR-tuned: ar would stop each item at its [Fork]");
        assertThat(two.path("choices")).hasSize(2);
        two.path("choices").forEach(choice ->
                assertThat(choice.path("message").path("content").asString()).isEqualTo(answer));
        // auto picking lookahead (greedy, no list word for the rules to see): the answer apar writes
        String unlisted = "Make database queries faster.";
        JsonNode picked = aparChat(unlisted, Map.of());
        assertThat(picked.path("braid").path("strategy").asString()).isEqualTo("apar-serial");
        assertThat(picked.path("braid").path("reason").asString()).contains("is APAR-tuned: ");
        assertThat(content(picked)).isEqualTo(content(aparChat(unlisted, Map.of("strategy", "apar"))));
    }

    /** braid-apar's greedy answer to {@code question}, up to 256 tokens, with the request's extra fields. */
    private JsonNode aparChat(String question, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("model", "braid-apar", "max_tokens", 256,
                "messages", List.of(Map.of("role", "user", "content", question))));
        body.putAll(extra);
        return mapper.readTree(client.post().uri("/v1/chat/completions")
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    /** braid-base's answer to one question under ar, 24 tokens, with the request's extra fields. */
    private JsonNode chat(Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("model", "braid-base", "max_tokens", 24, "strategy", "ar",
                "logprobs", true, "messages", List.of(Map.of("role", "user", "content", "What is caching?"))));
        body.putAll(extra);
        return mapper.readTree(client.post().uri("/v1/chat/completions")
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    /** The answer token by token, as the logprobs list them. */
    private static List<String> tokens(JsonNode response) {
        List<String> tokens = new ArrayList<>();
        response.path("choices").get(0).path("logprobs").path("content").forEach(t -> tokens.add(t.path("token").asString()));
        return tokens;
    }

    private static String content(JsonNode response) {
        return response.path("choices").get(0).path("message").path("content").asString();
    }

    @Test
    void adminEndpointsNeedCredentials() {
        client.get().uri("/api/admin/models").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueMatches("WWW-Authenticate", "Basic.*")
                .expectBody().jsonPath("$.type").isEqualTo("https://braid.dev/problems/unauthorized");
    }

    @Test
    void prometheusIsExported() {
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> org.assertj.core.api.Assertions.assertThat(body)
                        .contains("braid_metrics_buffered"));
    }
}
