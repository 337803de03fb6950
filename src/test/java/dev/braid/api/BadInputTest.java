package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.jobs.Admission;
import dev.braid.support.ServiceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Bad input gets a clear 4xx naming the field: OpenAI's envelope on /v1, ProblemDetail on /api. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class BadInputTest extends ServiceTest {

    @Autowired
    WebTestClient client;
    @Autowired
    Admission admission;

    private WebTestClient.BodyContentSpec v1(String path, String json, int status) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange()
                .expectStatus().isEqualTo(status)
                .expectBody().jsonPath("$.error.message").isNotEmpty().jsonPath("$.error.type").isNotEmpty();
    }

    @Test
    void malformedJson() {
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": ", 400).jsonPath("$.error.code")
                .isEqualTo("invalid_request");
    }

    @Test
    void wrongTypeNamesTheField() {
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": \"many\"}", 400)
                .jsonPath("$.error.param").isEqualTo("max_tokens");
    }

    @Test
    void unknownModelIs404() {
        v1("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"hi\"}", 404)
                .jsonPath("$.error.code").isEqualTo("model_not_found").jsonPath("$.error.param").isEqualTo("model");
        v1("/v1/chat/completions", "{\"model\": \"nope\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
                404).jsonPath("$.error.code").isEqualTo("model_not_found");
    }

    @Test
    void negativeAndHugeMaxTokens() {
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": -1}", 400)
                .jsonPath("$.error.param").isEqualTo("max_tokens");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 100000}", 400)
                .jsonPath("$.error.param").isEqualTo("max_tokens")
                .jsonPath("$.error.code").isEqualTo("context_length_exceeded");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 99999999999999}", 400)
                .jsonPath("$.error.param").isEqualTo("max_tokens");
    }

    @Test
    void promptBeyondTheContext() {
        String prompt = "word ".repeat(400);
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"" + prompt + "\"}", 400)
                .jsonPath("$.error.param").isEqualTo("prompt")
                .jsonPath("$.error.code").isEqualTo("context_length_exceeded");
        v1("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + prompt + "\"}]}", 400).jsonPath("$.error.param").isEqualTo("messages");
    }

    @Test
    void samplingAndShapeBounds() {
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"temperature\": 3}", 400)
                .jsonPath("$.error.param").isEqualTo("temperature");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"top_p\": 0}", 400)
                .jsonPath("$.error.param").isEqualTo("top_p");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"n\": 17}", 400)
                .jsonPath("$.error.param").isEqualTo("n");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400)
                .jsonPath("$.error.param").isEqualTo("stop");
        v1("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": []}", 400)
                .jsonPath("$.error.param").isEqualTo("messages");
        v1("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}",
                400).jsonPath("$.error.param").isEqualTo("messages[0].role");
    }

    @Test
    void unknownStrategyAndOutOfRangeParameters() {
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"strategy\": \"warp\"}", 400)
                .jsonPath("$.error.param").isEqualTo("strategy")
                .jsonPath("$.error.code").isEqualTo("unsupported_strategy");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"strategy\": \"apar\"}", 400)
                .jsonPath("$.error.param").isEqualTo("strategy");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"strategy_params\": "
                + "{\"lookahead\": {\"window\": 1000}}}", 400)
                .jsonPath("$.error.param").isEqualTo("strategy_params.lookahead.window");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"strategy_params\": "
                + "{\"lookahead\": {\"widow\": 4}}}", 400)
                .jsonPath("$.error.param").isEqualTo("strategy_params.lookahead.widow");
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"strategy_params\": "
                + "{\"apar\": {\"max_live_branches\": 0}}}", 400)
                .jsonPath("$.error.param").isEqualTo("strategy_params.apar.max_live_branches")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("max_live_branches"));
        v1("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"strategy_params\": "
                + "{\"warp\": {}}}", 400)
                .jsonPath("$.error.param").isEqualTo("strategy_params.warp");
    }

    @Test
    void apiErrorsAreProblemDetails() {
        client.post().uri("/api/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\": \"tiny\", \"prompt\": \"hi\", \"strategy\": \"warp\"}").exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("https://braid.dev/problems/unsupported-strategy")
                .jsonPath("$.field").isEqualTo("strategy").jsonPath("$.status").isEqualTo(400);
        client.post().uri("/api/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": -5}").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://braid.dev/problems/invalid-request")
                .jsonPath("$.field").isEqualTo("max_tokens");
        client.get().uri("/api/jobs/not-a-uuid").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("id");
        client.get().uri("/api/jobs/" + java.util.UUID.randomUUID()).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("https://braid.dev/problems/not-found");
        client.get().uri("/api/metrics/summary?window=forever").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("window");
    }

    @Test
    void fullQueueIs429WithRetryAfter() {
        List<Admission.Permit> held = new ArrayList<>();
        try {
            while (true) {
                held.add(admission.acquire(1));
            }
        } catch (dev.braid.common.ServiceException full) {
            // the queue is at its bound now
        }
        try {
            client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("model", "tiny", "prompt", "hi", "max_tokens", 2)).exchange()
                    .expectStatus().isEqualTo(429)
                    .expectHeader().exists("Retry-After")
                    .expectBody().jsonPath("$.error.code").isEqualTo("queue_full")
                    .jsonPath("$.error.type").isEqualTo("rate_limit_error");
            client.post().uri("/api/jobs").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("model", "tiny", "prompt", "hi", "max_tokens", 2)).exchange()
                    .expectStatus().isAccepted();
        } finally {
            held.forEach(Admission.Permit::release);
        }
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "tiny", "prompt", "hi", "max_tokens", 2)).exchange()
                .expectStatus().isOk();
    }
}
