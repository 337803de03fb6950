package dev.braid.security;

import dev.braid.support.ServiceTest;
import dev.braid.support.TestDatabases;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** With API keys configured, inference needs one (Bearer); the admin's credentials work too. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class ApiKeysTest {

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        ServiceTest.properties(registry, TestDatabases.create());
        registry.add("braid.security.api-keys[0]", () -> "key-one");
        registry.add("braid.security.api-keys[1]", () -> "key-two");
    }

    @Autowired
    WebTestClient client;

    private WebTestClient.RequestHeadersSpec<?> complete(String authorization) {
        WebTestClient.RequestBodySpec spec = client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON);
        if (authorization != null) {
            spec.header("Authorization", authorization);
        }
        return spec.bodyValue(Map.of("model", ServiceTest.MODEL, "prompt", "hi", "max_tokens", 2));
    }

    @Test
    void inferenceNeedsAKey() {
        complete(null).exchange().expectStatus().isUnauthorized()
                .expectHeader().valueMatches("WWW-Authenticate", "Bearer.*")
                .expectBody().jsonPath("$.error.type").isEqualTo("authentication_error");
        complete("Bearer wrong").exchange().expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.error.code").isEqualTo("unauthorized");
        complete("Bearer key-two").exchange().expectStatus().isOk();
        client.get().uri("/api/jobs/00000000-0000-0000-0000-000000000000").exchange().expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo("https://braid.dev/problems/unauthorized");
    }

    @Test
    void adminCredentialsAreAcceptedForInferenceButKeysNotForAdmin() {
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .headers(h -> h.setBasicAuth("admin", ServiceTest.ADMIN_PASSWORD))
                .bodyValue(Map.of("model", ServiceTest.MODEL, "prompt", "hi", "max_tokens", 2))
                .exchange().expectStatus().isOk();
        client.get().uri("/api/admin/models").header("Authorization", "Bearer key-one").exchange()
                .expectStatus().isForbidden();
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
    }
}
