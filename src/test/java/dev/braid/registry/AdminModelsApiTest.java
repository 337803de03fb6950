package dev.braid.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class AdminModelsApiTest extends ServiceTest {

    @Autowired
    WebTestClient client;

    private WebTestClient admin() {
        return client.mutate().defaultHeaders(h -> h.setBasicAuth("admin", ADMIN_PASSWORD)).build();
    }

    @Test
    void seededModelIsListedAndLoaded() {
        admin().get().uri("/api/admin/models").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$[?(@.name == 'tiny')].state").isEqualTo(List.of("loaded"))
                .jsonPath("$[?(@.name == 'tiny')].chat_template").isEqualTo(List.of("default"))
                .jsonPath("$[?(@.name == 'tiny')].workers[*].name").isEqualTo(List.of("cpu"));
    }

    @Test
    void wrongPasswordIsRefused() {
        client.mutate().defaultHeaders(h -> h.setBasicAuth("admin", "nope")).build()
                .get().uri("/api/admin/models").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void registerUpdateUnloadLoadAndDelete() {
        admin().post().uri("/api/admin/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "tiny-2", "path", FIXTURE.toString(), "capabilities", List.of("cllm"),
                        "load", false))
                .exchange().expectStatus().isCreated()
                .expectBody().jsonPath("$.state").isEqualTo("unloaded").jsonPath("$.capabilities[0]").isEqualTo("cllm");
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "tiny-2", "prompt", "hi", "max_tokens", 2)).exchange()
                .expectStatus().isEqualTo(409).expectBody().jsonPath("$.error.code").isEqualTo("model_not_loaded");
        admin().patch().uri("/api/admin/models/tiny-2").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("draft_partner", "tiny", "capabilities", List.of("apar", "cllm"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.draft_partner").isEqualTo("tiny")
                .jsonPath("$.capabilities.length()").isEqualTo(2);
        admin().post().uri("/api/admin/models/tiny-2/load").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("loaded").jsonPath("$.context_length").isEqualTo(256)
                .jsonPath("$.workers[0].total_blocks").isEqualTo(32768)
                // a float32 checkpoint stays float32 under the default dtype, auto
                .jsonPath("$.workers[0].dtype").isEqualTo("float32");
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "tiny-2", "prompt", "hi", "max_tokens", 2)).exchange()
                .expectStatus().isOk();
        // the worker's measured step cost, which prices guesses: calibrated before its first request
        admin().get().uri("/api/admin/models/tiny-2").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.workers[0].step_cost[0].tokens").isEqualTo(1)
                .jsonPath("$.workers[0].step_cost[0].millis").value(ms -> assertThat(((Number) ms).doubleValue())
                        .isPositive())
                .jsonPath("$.workers[0].step_cost[?(@.tokens == 32)]").exists()
                // what a query token adds per 1,000 tokens of context, timed at calibration too
                .jsonPath("$.workers[0].step_cost_per_context").value(ms -> assertThat(((Number) ms).doubleValue())
                        .isNotNegative())
                // and what a step pays on the other copy of the weights than the step before
                .jsonPath("$.workers[0].step_cost_switch_to_packed").value(ms -> assertThat(((Number) ms).doubleValue())
                        .isNotNegative())
                .jsonPath("$.workers[0].step_cost_switch_from_packed").value(ms -> assertThat(((Number) ms).doubleValue())
                        .isNotNegative())
                // the chunked-prefill budget it chose from that curve: 32 to 128 tokens
                .jsonPath("$.workers[0].step_tokens").value(t -> assertThat(((Number) t).intValue()).isBetween(32, 128))
                // how it multiplies a few rows, as timed at calibration
                .jsonPath("$.workers[0].products[0].threads").isEqualTo(1)
                .jsonPath("$.workers[0].products[0].from_rows").isEqualTo(1)
                .jsonPath("$.workers[0].products[0].to_rows").isEqualTo(1)
                .jsonPath("$.workers[0].products[0].method").value(m -> assertThat(m).isIn("ROWS_FIRST", "PACKED"))
                .jsonPath("$.workers[0].products[1].from_rows").isEqualTo(2)
                .jsonPath("$.workers[0].products[1].to_rows").isEqualTo(3)
                .jsonPath("$.workers[0].products[3].from_rows").isEqualTo(9)
                // the last range has no upper end
                .jsonPath("$.workers[0].products[3].to_rows").isEmpty()
                .jsonPath("$.workers[0].products[3].method").value(m -> assertThat(m).isIn("ROWS_FIRST", "PACKED"));
        // tiny is tiny-2's draft partner: it cannot go first
        admin().delete().uri("/api/admin/models/tiny").exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://braid.dev/problems/conflict");
        admin().post().uri("/api/admin/models/tiny-2/unload").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.state").isEqualTo("unloaded");
        admin().delete().uri("/api/admin/models/tiny-2").exchange().expectStatus().isNoContent();
        admin().get().uri("/api/admin/models/tiny-2").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("https://braid.dev/problems/model-not-found");
    }

    @Test
    void badRegistrationsNameTheField() {
        admin().post().uri("/api/admin/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "x", "path", "/no/such/folder")).exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.field").isEqualTo("path");
        admin().post().uri("/api/admin/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "y", "path", FIXTURE.toString(), "capabilities", List.of("telepathy")))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.field").isEqualTo("capabilities[0]");
        admin().post().uri("/api/admin/models").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "tiny", "path", FIXTURE.toString())).exchange()
                .expectStatus().isEqualTo(409);
    }
}
