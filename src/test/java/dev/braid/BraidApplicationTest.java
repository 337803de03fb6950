package dev.braid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The service as `./mvnw spring-boot:run` starts it: the embedded H2 database (here in a temporary
 * folder rather than ./data), the bundled models, a generated admin password.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class BraidApplicationTest {

    @Autowired
    WebTestClient client;

    @DynamicPropertySource
    static void embeddedDatabase(DynamicPropertyRegistry registry) {
        try {
            Path dir = Files.createTempDirectory("braid-h2");
            registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("braid")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void serviceStartsAndReportsHealthy() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void withoutConfigurationTheBundledModelsAreServed() {
        client.get().uri("/v1/models").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.object").isEqualTo("list")
                .jsonPath("$.data[*].id").value(org.hamcrest.Matchers.containsInAnyOrder("braid-base", "braid-draft", "braid-cllm", "braid-apar"));
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
