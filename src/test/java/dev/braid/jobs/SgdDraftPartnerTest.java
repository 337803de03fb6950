package dev.braid.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SGD through the service with the bundled braid-base and its draft partner braid-draft, which share
 * one tokenizer: the easy points of braid-base's skeleton run on braid-draft's workers while it is
 * loaded, and on braid-base itself when it is not, or when the partner speaks other tokens.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT120S")
class SgdDraftPartnerTest extends ServiceTest {

    /** The question of braid-base's skeleton lessons: two easy points, then a hard one on the first. */
    private static final String QUESTION = "What is caching, why does it matter, and how do I start?";

    @Autowired
    WebTestClient client;
    @Autowired
    JsonMapper mapper;

    private WebTestClient admin() {
        return client.mutate().defaultHeaders(h -> h.setBasicAuth("admin", ADMIN_PASSWORD)).build();
    }

    @Test
    void easyPointsRunOnTheLoadedDraftPartnerAndOnTheTargetOtherwise() {
        // models of their own, so the shared context's other tests never see them
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String draft = "sgd-draft-" + suffix;
        String base = "sgd-base-" + suffix;
        register(draft, "bundled:braid-draft", null);
        register(base, "bundled:braid-base", draft);
        try {
            JsonNode routed = sgd(base);
            JsonNode trace = routed.path("braid").path("trace");
            assertThat(routed.path("braid").path("strategy").asString()).isEqualTo("sgd");
            assertThat(trace.path("fallback_reason").isMissingNode())
                    .as("braid-base writes its lessons' skeleton: %s", trace).isTrue();
            List<String> models = new ArrayList<>();
            for (JsonNode node : trace.path("nodes")) {
                String expected = node.path("difficulty").asString().equals("easy") ? draft : "target";
                assertThat(node.path("model").asString()).as("point %s", node).isEqualTo(expected);
                assertThat(node.path("end_step").asInt()).isGreaterThanOrEqualTo(node.path("start_step").asInt());
                models.add(node.path("model").asString());
            }
            assertThat(models).contains(draft, "target");
            assertThat(content(routed)).isNotBlank();
            assertThat(trace.path("generated_tokens").asInt())
                    .isEqualTo(routed.path("usage").path("completion_tokens").asInt());

            // the partner unloaded: the same request still answers, every point on the target
            admin().post().uri("/api/admin/models/" + draft + "/unload").exchange().expectStatus().isOk();
            JsonNode alone = sgd(base);
            assertThat(onTarget(alone)).isTrue();
            assertThat(content(alone)).isNotBlank();

            // a partner with another vocabulary (the fixture's 512 tokens) is never routed to
            admin().patch().uri("/api/admin/models/" + base).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("draft_partner", MODEL)).exchange().expectStatus().isOk();
            JsonNode foreign = sgd(base);
            assertThat(onTarget(foreign)).isTrue();
            assertThat(content(foreign)).isEqualTo(content(alone));
        } finally {
            admin().delete().uri("/api/admin/models/" + base).exchange().expectStatus().isNoContent();
            admin().delete().uri("/api/admin/models/" + draft).exchange().expectStatus().isNoContent();
        }
    }

    private void register(String name, String path, String draftPartner) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", name, "path", path));
        if (draftPartner != null) {
            body.put("draft_partner", draftPartner);
        }
        admin().post().uri("/api/admin/models").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isCreated().expectBody().jsonPath("$.state").isEqualTo("loaded");
    }

    private JsonNode sgd(String model) {
        return mapper.readTree(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", QUESTION)),
                        "max_tokens", 96, "temperature", 0, "strategy", "sgd"))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    /** Whether every point of the response's trace was written by the target. */
    private static boolean onTarget(JsonNode response) {
        JsonNode trace = response.path("braid").path("trace");
        assertThat(trace.path("type").asString()).isEqualTo("sgd");
        assertThat(trace.path("nodes").isEmpty()).as("the same skeleton as before: %s", trace).isFalse();
        for (JsonNode node : trace.path("nodes")) {
            if (!node.path("model").asString().equals("target")) {
                return false;
            }
        }
        return true;
    }

    private static String content(JsonNode response) {
        return response.path("choices").get(0).path("message").path("content").asString();
    }
}
