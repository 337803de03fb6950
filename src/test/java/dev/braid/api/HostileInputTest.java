package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The hostile requests an operator's probe found answered with a 500, the wrong shape or a stored
 * job: each is now a 4xx in its surface's shape (OpenAI's envelope on /v1, a ProblemDetail on /api)
 * that names the field, carries no internals, and leaves nothing behind.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class HostileInputTest extends ServiceTest {

    private static final String CHAT = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], "
            + "\"max_tokens\": 2, \"temperature\": 0";

    @Autowired
    WebTestClient client;
    @Autowired
    JdbcTemplate jdbc;
    @org.springframework.boot.test.web.server.LocalServerPort
    int port;

    private WebTestClient admin() {
        return client.mutate().defaultHeaders(h -> h.setBasicAuth("admin", ADMIN_PASSWORD)).build();
    }

    private WebTestClient.BodyContentSpec envelope(WebTestClient.ResponseSpec response, int status, String code) {
        return response.expectStatus().isEqualTo(status).expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.error.message").isNotEmpty().jsonPath("$.error.type").isNotEmpty()
                .jsonPath("$.error.code").isEqualTo(code);
    }

    private WebTestClient.BodyContentSpec problem(WebTestClient.ResponseSpec response, int status, String code) {
        return response.expectStatus().isEqualTo(status).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(status).jsonPath("$.detail").isNotEmpty()
                .jsonPath("$.type").isEqualTo(ErrorResponses.TYPE_PREFIX + code.replace('_', '-'))
                .jsonPath("$.code").isEqualTo(code);
    }

    private WebTestClient.ResponseSpec postJson(WebTestClient c, String path, String json) {
        return c.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    @Test
    void nulInTheBodyIsRefusedNamingTheField() {
        envelope(postJson(client, "/v1/chat/completions", CHAT.replace("\"tiny\"", "\"tiny\\u0000\"") + "}"), 400,
                "invalid_request").jsonPath("$.error.param").isEqualTo("model");
        envelope(postJson(client, "/v1/chat/completions", CHAT.replace("\"hi\"", "\"h\\u0000i\"") + "}"), 400,
                "invalid_request").jsonPath("$.error.param").isEqualTo("messages[0].content");
        envelope(postJson(client, "/v1/completions",
                "{\"model\": \"tiny\", \"prompt\": \"x\", \"stop\": [\"a\", \"\\u0000\"]}"), 400, "invalid_request")
                .jsonPath("$.error.param").isEqualTo("stop[1]");
        long jobs = jobCount();
        problem(postJson(client, "/api/jobs", "{\"model\": \"tiny\", \"prompt\": \"\\u0000\"}"), 400, "invalid_request")
                .jsonPath("$.field").isEqualTo("prompt");
        problem(postJson(admin(), "/api/admin/models", "{\"name\": \"a\\u0000b\", \"path\": \"/tmp\"}"), 400,
                "invalid_request").jsonPath("$.field").isEqualTo("name");
        assertThat(jobCount()).isEqualTo(jobs);
    }

    @Test
    void nulInQueryOrPathIsA400WithoutSql() {
        for (String uri : new String[] {"/api/metrics/requests?strategy=%00", "/api/metrics/requests?model=a%00",
                "/api/metrics/requests?outcome=%00ok"}) {
            String field = uri.substring(uri.indexOf('?') + 1, uri.indexOf('='));
            problem(client.get().uri(raw(uri)).exchange(), 400, "invalid_request")
                    .jsonPath("$.field").isEqualTo(field)
                    .jsonPath("$.detail").value(d -> assertThat((String) d).doesNotContainIgnoringCase("select"));
        }
        problem(admin().get().uri(raw("/api/admin/jobs?model=%00")).exchange(), 400, "invalid_request")
                .jsonPath("$.field").isEqualTo("model");
        problem(admin().get().uri(raw("/api/admin/models/a%00b")).exchange(), 400, "invalid_request")
                .jsonPath("$.field").isEqualTo("path");
        problem(admin().get().uri(raw("/api/admin/models/a%2fb")).exchange(), 400, "invalid_request")
                .jsonPath("$.field").isEqualTo("path");
        envelope(client.get().uri(raw("/v1/models/a%00b")).exchange(), 400, "invalid_request")
                .jsonPath("$.error.param").isEqualTo("path");
    }

    @Test
    void bodiesOverTheLimitAre413InEachShape() {
        String huge = "{\"model\": \"tiny\", \"prompt\": \"" + "a".repeat(300 * 1024) + "\"}";
        envelope(postJson(client, "/v1/completions", huge), 413, "payload_too_large");
        envelope(postJson(client, "/v1/chat/completions", huge), 413, "payload_too_large");
        long jobs = jobCount();
        problem(postJson(client, "/api/jobs", huge), 413, "payload_too_large");
        problem(postJson(admin(), "/api/admin/models", huge), 413, "payload_too_large");
        assertThat(jobCount()).isEqualTo(jobs);
    }

    @Test
    void aJobAnsweredWithAnErrorIsNotCreated() {
        long jobs = jobCount();
        problem(client.post().uri("/api/jobs").contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_HTML)
                .bodyValue("{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 2}").exchange()
                .expectHeader().doesNotExist("Location"), 406, "not_acceptable");
        problem(client.post().uri("/api/jobs").contentType(MediaType.TEXT_PLAIN)
                .bodyValue("{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 2}").exchange(), 415,
                "unsupported_media_type");
        problem(client.post().uri("/api/jobs").contentType(MediaType.parseMediaType("application/merge-patch+json"))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue("{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 2}").exchange(), 415,
                "unsupported_media_type");
        assertThat(jobCount()).isEqualTo(jobs);
    }

    @Test
    void errorsBeforeAControllerAreInTheSurfacesShape() {
        envelope(client.post().uri("/v1/chat/completions").bodyValue(CHAT.getBytes(StandardCharsets.UTF_8))
                .exchange(), 415, "unsupported_media_type");
        envelope(client.post().uri("/v1/chat/completions").contentType(MediaType.TEXT_PLAIN).bodyValue(CHAT + "}")
                .exchange(), 415, "unsupported_media_type");
        envelope(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_HTML).bodyValue(CHAT + "}").exchange(), 406, "not_acceptable");
        envelope(client.get().uri("/v1/chat/completions").exchange()
                .expectHeader().valueEquals("Allow", "POST"), 405, "method_not_allowed");
        envelope(client.post().uri("/v1/embeddings").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                .exchange(), 404, "not_found");
        problem(client.get().uri("/api/nothing-here").exchange(), 404, "not_found");
        problem(client.method(HttpMethod.PUT).uri("/api/jobs").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                .exchange(), 405, "method_not_allowed");
        problem(admin().post().uri("/api/admin/models").contentType(MediaType.APPLICATION_XML).bodyValue("<x/>")
                .exchange(), 415, "unsupported_media_type");
    }

    @Test
    void strictTypesNameTheField() {
        for (String value : new String[] {"\"4\"", "4.5", "true", "[4]"}) {
            envelope(postJson(client, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": "
                    + value + "}"), 400, "invalid_request").jsonPath("$.error.param").isEqualTo("max_tokens")
                    .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("expected an integer")
                            .doesNotContain("java."));
        }
        envelope(postJson(client, "/v1/chat/completions", CHAT + ", \"logprobs\": -1}"), 400, "invalid_request")
                .jsonPath("$.error.param").isEqualTo("logprobs")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("expected a boolean"));
        envelope(postJson(client, "/v1/chat/completions", CHAT + ", \"stream\": \"true\"}"), 400, "invalid_request")
                .jsonPath("$.error.param").isEqualTo("stream");
        envelope(postJson(client, "/v1/completions", "{\"model\": 5, \"prompt\": \"hi\"}"), 400, "invalid_request")
                .jsonPath("$.error.param").isEqualTo("model");
        envelope(postJson(client, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"temperature\": \"0\"}"),
                400, "invalid_request").jsonPath("$.error.param").isEqualTo("temperature");
        problem(postJson(client, "/api/jobs", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 2.5}"), 400,
                "invalid_request").jsonPath("$.field").isEqualTo("max_tokens");
        // a number field still takes an integer, as OpenAI's does
        postJson(client, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 2, "
                + "\"temperature\": 0, \"top_p\": 1}").expectStatus().isOk();
    }

    @Test
    void invalidUtf8AndDeepNestingAre400() {
        // "h\xC3(i": a two-byte sequence whose second byte is not a continuation byte
        String[] around = (CHAT + "}").split("hi", 2);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.writeBytes(around[0].getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] {'h', (byte) 0xC3, '(', 'i'});
        bytes.writeBytes(around[1].getBytes(StandardCharsets.UTF_8));
        byte[] broken = bytes.toByteArray();
        envelope(client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(broken)
                .exchange(), 400, "invalid_request")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("UTF-8"));
        String deep = "[".repeat(5000) + "]".repeat(5000);
        envelope(postJson(client, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": " + deep + "}"), 400,
                "invalid_request");
    }

    /** The URI exactly as written: WebTestClient would encode a template's '%' again. */
    private URI raw(String pathAndQuery) {
        return URI.create("http://localhost:" + port + pathAndQuery);
    }

    private long jobCount() {
        return jdbc.queryForObject("select count(*) from jobs", Long.class);
    }
}
