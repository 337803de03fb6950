package dev.braid.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/**
 * With the database unreachable (its PostgreSQL database closed to connections, existing ones
 * terminated) inference still answers; the metrics rows wait in the buffer and are written when
 * the database is back. Runs on a database of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class DatabaseOutageTest {

    private static TestDatabases.Database own;

    @DynamicPropertySource
    static void ownDatabase(DynamicPropertyRegistry registry) {
        own = TestDatabases.create();
        ServiceTest.properties(registry, own);
        registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
        registry.add("braid.metrics.flush-interval", () -> "500ms");
    }

    @Autowired
    WebTestClient client;
    @Autowired
    MetricsRecorder recorder;
    @Autowired
    RequestMetricRepository rows;

    @Test
    void inferenceAnswersWhileTheDatabaseIsDownAndMetricsAreWrittenLater() throws InterruptedException {
        recorder.flush();
        long before = rows.count();
        TestDatabases.admin(own, "ALTER DATABASE " + own.name() + " WITH ALLOW_CONNECTIONS false");
        try {
            TestDatabases.admin(own, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                    + own.name() + "'");
            for (int i = 0; i < 3; i++) {
                client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("model", ServiceTest.MODEL, "prompt", "Still here?", "max_tokens", 4,
                                "temperature", 0))
                        .exchange().expectStatus().isOk()
                        .expectBody().jsonPath("$.choices[0].text").exists();
            }
            assertThat(recorder.buffered()).isGreaterThanOrEqualTo(3);
            assertThatThrownBy(recorder::flush).isInstanceOf(RuntimeException.class);
            assertThat(recorder.buffered()).isGreaterThanOrEqualTo(3);
            assertThat(recorder.dropped()).isZero();
        } finally {
            TestDatabases.admin(own, "ALTER DATABASE " + own.name() + " WITH ALLOW_CONNECTIONS true");
        }
        // the periodic flush writes them once the connection pool reconnects
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (recorder.buffered() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(recorder.buffered()).isZero();
        assertThat(rows.count() - before).isGreaterThanOrEqualTo(3);
        assertThat(recorder.dropped()).isZero();
    }
}
