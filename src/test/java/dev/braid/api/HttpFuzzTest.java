package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.metrics.MetricsRecorder;
import dev.braid.support.ServiceTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Several hundred generated hostile requests against a running service: wrong types, huge and
 * malformed bodies, NUL and invalid UTF-8, deep nesting, media types, methods, unknown and malformed
 * paths and query strings. None may get a 5xx; every error is in its surface's shape and carries no
 * internals; no job is stored for a request answered with an error; the metrics writer drops
 * nothing and keeps writing. The seed is fixed, so a failure replays; the status histogram is
 * printed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class HttpFuzzTest extends ServiceTest {

    private static final int REQUESTS = 500;
    private static final List<String> INTERNALS = List.of("Exception", "\tat ", "SELECT ", "select ", "postgresql",
            "org.springframework", "java.lang", "hibernate");

    @Autowired
    WebTestClient client;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    MetricsRecorder recorder;
    @Autowired
    JsonMapper mapper;
    @LocalServerPort
    int port;

    /** One generated request. */
    record Probe(HttpMethod method, String path, Map<String, String> headers, byte[] body, boolean admin) {
        @Override
        public String toString() {
            String shown = body == null ? "" : new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
            return method + " " + path + " " + headers + (admin ? " (admin)" : "") + " " + shown;
        }
    }

    @Test
    void hostileRequestsGetA4xxInTheirSurfacesShapeAndLeaveNothingBehind() throws Exception {
        Random random = new Random(20261204L);
        recorder.flush();
        long jobsBefore = count("jobs");
        double droppedBefore = recorder.dropped();
        Map<Integer, Integer> histogram = new TreeMap<>();
        int jobsAccepted = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Probe probe = probe(random);
            Answer answer = send(probe);
            int status = answer.status();
            histogram.merge(status, 1, Integer::sum);
            assertThat(status).as("%s -> %s", probe, answer.body()).isLessThan(500);
            if (status >= 400 && probe.method() != HttpMethod.HEAD) {
                assertShape(probe, answer);
            }
            if (status == 202 && probe.path().equals("/api/jobs") && probe.method() == HttpMethod.POST) {
                jobsAccepted++;
            }
        }
        System.out.println("HttpFuzzTest: " + REQUESTS + " requests, status histogram " + histogram);
        assertThat(count("jobs") - jobsBefore).as("jobs stored beyond those answered 202").isEqualTo(jobsAccepted);

        // the metrics writer still writes: a plain request after the storm is stored, and nothing was dropped
        long okBefore = jdbc.queryForObject("select count(*) from request_metrics where outcome = 'ok'", Long.class);
        client.post().uri("/v1/completions").header(HttpHeaders.CONTENT_TYPE, "application/json")
                .bodyValue("{\"model\": \"tiny\", \"prompt\": \"after the fuzz\", \"max_tokens\": 2, \"temperature\": 0}")
                .exchange().expectStatus().isOk();
        recorder.flush();
        assertThat(jdbc.queryForObject("select count(*) from request_metrics where outcome = 'ok'", Long.class))
                .isEqualTo(okBefore + 1);
        assertThat(recorder.buffered()).isZero();
        assertThat(recorder.dropped()).isEqualTo(droppedBefore);
    }

    private void assertShape(Probe probe, Answer answer) {
        int status = answer.status();
        String body = answer.body();
        String where = probe + " -> " + status + " " + body;
        String path = probe.path();
        boolean inference = path.equals("/v1") || path.startsWith("/v1/") || path.startsWith("/v1?");
        JsonNode json = mapper.readTree(body);
        if (inference) {
            assertThat(answer.contentType()).as(where).isEqualTo("application/json");
            JsonNode error = json.path("error");
            assertThat(error.path("message").asString()).as(where).isNotBlank();
            assertThat(error.path("type").asString()).as(where).isNotBlank();
            assertThat(error.path("code").asString()).as(where).isNotBlank();
            assertThat(error.has("param")).as(where).isTrue();
        } else {
            assertThat(answer.contentType()).as(where).isEqualTo("application/problem+json");
            assertThat(json.path("status").asInt()).as(where).isEqualTo(status);
            assertThat(json.path("type").asString()).as(where).startsWith(ErrorResponses.TYPE_PREFIX);
            assertThat(json.path("title").asString()).as(where).isNotBlank();
            assertThat(json.path("detail").asString()).as(where).isNotBlank();
        }
        for (String internal : INTERNALS) {
            assertThat(body).as(where).doesNotContain(internal);
        }
    }

    /** What came back; sent with the JDK's client, which passes malformed headers and bodies on as they are. */
    record Answer(int status, String contentType, String body) {
    }

    private Answer send(Probe probe) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + probe.path()))
                .timeout(Duration.ofSeconds(60))
                .method(probe.method().name(), probe.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(probe.body()));
        probe.headers().forEach(request::header);
        if (probe.admin()) {
            request.header(HttpHeaders.AUTHORIZATION, "Basic " + Base64.getEncoder()
                    .encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> response;
        // a connection of its own per probe: the JDK client can hang reusing a pooled connection the
        // server closed after answering a body it did not read (413)
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new AssertionError(probe + " got no answer: " + e, e);
        }
        return new Answer(response.statusCode(), response.headers().firstValue(HttpHeaders.CONTENT_TYPE).orElse(null),
                new String(response.body(), StandardCharsets.UTF_8));
    }

    private long count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Long.class);
    }

    // ---- the generator ----

    private static final String[] POST_ENDPOINTS = {"/v1/completions", "/v1/chat/completions", "/api/jobs",
        "/api/admin/models"};
    private static final String[] HOSTILE_VALUES = {"\"4\"", "4.5", "-1", "0", "2147483648", "1e309",
        "99999999999999999999999", "true", "false", "null", "[]", "{}", "[1, \"a\", null]", "\"\\u0000\"",
        "\"a\\u0000b\"", "\"\"", "\" \"", "\"\\ud800\"", "\"\\uD83D\\uDE00 emoji\"", "{\"a\": {\"b\": [1]}}",
        "\"<script>alert(1)</script>\"", "\"'; drop table jobs; --\"", "-0.0", "1.0", "\"auto\""};
    private static final String[] FIELDS = {"model", "prompt", "messages", "max_tokens", "max_completion_tokens",
        "temperature", "top_p", "top_k", "seed", "stop", "n", "logprobs", "top_logprobs", "stream", "stream_options",
        "strategy", "strategy_params", "echo", "best_of", "suffix", "presence_penalty", "frequency_penalty", "tools",
        "response_format", "name", "path", "capabilities", "draft_partner"};
    private static final String[] CONTENT_TYPES = {"text/plain", "application/xml", "application/json; charset=iso-8859-1",
        "garbage", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json;;;",
        "*/*", "application/merge-patch+json"};
    private static final String[] ACCEPTS = {"text/html", "application/xml", "*/*", "garbage/;;", "text/event-stream",
        "application/problem+json", "image/png, text/csv"};
    private static final String[] PATHS = {"/v1/embeddings", "/v1/completions/extra", "/v1", "/v1/", "/api",
        "/api/nothing", "/api/jobs/not-a-uuid", "/api/jobs/%00", "/api/jobs/a%2fb", "/v1/models/%00",
        "/v1/models/a%2Fb", "/api/admin/models/%2e%2e", "/v1/models/..%5c..", "/api/jobs//x", "/api/jobs/x;y=1",
        "/v1/models/%ff%fe", "/api/metrics/requests/%00", "/", "/nope", "/v1/chat//completions",
        "/api/jobs/00000000-0000-0000-0000-000000000000/events"};
    private static final String[] QUERIES = {"/api/metrics/requests?model=%00", "/api/metrics/requests?limit=abc",
        "/api/metrics/requests?limit=-1", "/api/metrics/requests?limit=99999999999", "/api/metrics/requests?strategy=%e9%28",
        "/api/metrics/summary?window=P99999D", "/api/metrics/summary?window=%00", "/api/metrics/series?bucket=PT0S",
        "/api/metrics/series?window=PT1H&bucket=PT0.001S", "/api/admin/jobs?state=%00", "/api/admin/jobs?limit=0",
        "/api/metrics/requests?%00=1", "/api/metrics/summary?window=-PT1H", "/v1/models?x=%00"};

    private Probe probe(Random random) {
        return switch (random.nextInt(7)) {
            case 0, 1 -> mutatedField(random);
            case 2 -> corruptedBody(random);
            case 3 -> mediaTypes(random);
            case 4 -> method(random);
            case 5 -> new Probe(HttpMethod.GET, pick(random, PATHS), Map.of(), null, random.nextBoolean());
            default -> new Probe(HttpMethod.GET, pick(random, QUERIES), Map.of(), null, true);
        };
    }

    private static Map<String, String> base(String endpoint) {
        Map<String, String> fields = new LinkedHashMap<>();
        switch (endpoint) {
            case "/v1/chat/completions" -> {
                fields.put("model", "\"tiny\"");
                fields.put("messages", "[{\"role\": \"user\", \"content\": \"hi\"}]");
            }
            case "/api/admin/models" -> {
                fields.put("name", "\"fuzz-" + UUID.randomUUID().toString().substring(0, 8) + "\"");
                fields.put("path", "\"/nonexistent/model\"");
                return fields;
            }
            default -> {
                fields.put("model", "\"tiny\"");
                fields.put("prompt", "\"Once upon a time\"");
            }
        }
        fields.put("max_tokens", "2");
        fields.put("temperature", "0");
        fields.put("strategy", "\"ar\"");
        return fields;
    }

    private static String json(Map<String, String> fields) {
        List<String> parts = new ArrayList<>();
        fields.forEach((k, v) -> parts.add("\"" + k + "\": " + v));
        return "{" + String.join(", ", parts) + "}";
    }

    private static Probe post(String endpoint, byte[] body, Map<String, String> headers) {
        return new Probe(HttpMethod.POST, endpoint, headers, body, endpoint.startsWith("/api/admin"));
    }

    private static Map<String, String> jsonType() {
        return Map.of(HttpHeaders.CONTENT_TYPE, "application/json");
    }

    private Probe mutatedField(Random random) {
        String endpoint = pick(random, POST_ENDPOINTS);
        Map<String, String> fields = base(endpoint);
        int mutations = 1 + random.nextInt(2);
        for (int m = 0; m < mutations; m++) {
            String field = pick(random, FIELDS);
            if (random.nextInt(6) == 0 && !field.equals("max_tokens")) {
                fields.remove(field);
            } else {
                String value = pick(random, HOSTILE_VALUES);
                // a generation without a small bound would take the whole context
                if (field.equals("max_tokens") && !value.startsWith("\"") && !value.contains(".")
                        && value.matches("-?\\d+") && Long.parseLong(value.length() > 15 ? "1" : value) > 0) {
                    value = "2147483648";
                }
                fields.put(field, value);
            }
        }
        return post(endpoint, json(fields).getBytes(StandardCharsets.UTF_8), jsonType());
    }

    private Probe corruptedBody(Random random) {
        String endpoint = pick(random, POST_ENDPOINTS);
        byte[] valid = json(base(endpoint)).getBytes(StandardCharsets.UTF_8);
        byte[] body = switch (random.nextInt(9)) {
            case 0 -> java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
            case 1 -> flip(valid, random, (byte) 0x00);
            case 2 -> flip(valid, random, (byte) 0xFF);
            case 3 -> flip(valid, random, (byte) 0xC3);
            case 4 -> ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8);
            case 5 -> pick(random, new String[] {"null", "[]", "\"text\"", "123", "true", "", " ", "{}{}", "{,}"})
                    .getBytes(StandardCharsets.UTF_8);
            case 6 -> ("{\"model\": \"tiny\", \"prompt\": \"" + "x".repeat(270 * 1024) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            case 7 -> ("{\"model\": \"tiny\", \"prompt\": {\"a\": " + "{\"a\": ".repeat(1500) + "1"
                    + "}".repeat(1501) + "}").getBytes(StandardCharsets.UTF_8);
            default -> ("\uFEFF" + new String(valid, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        };
        return post(endpoint, body, jsonType());
    }

    private Probe mediaTypes(Random random) {
        String endpoint = pick(random, POST_ENDPOINTS);
        Map<String, String> headers = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            headers.put(HttpHeaders.CONTENT_TYPE, pick(random, CONTENT_TYPES));
        } else if (random.nextBoolean()) {
            headers.put(HttpHeaders.CONTENT_TYPE, "application/json");
        }
        if (random.nextBoolean() || headers.isEmpty()) {
            headers.put(HttpHeaders.ACCEPT, pick(random, ACCEPTS));
        }
        return post(endpoint, json(base(endpoint)).getBytes(StandardCharsets.UTF_8), headers);
    }

    private Probe method(Random random) {
        String[] paths = {"/v1/completions", "/v1/chat/completions", "/v1/models", "/api/jobs",
            "/api/jobs/" + UUID.randomUUID(), "/api/admin/models", "/api/admin/models/tiny", "/api/metrics/summary",
            "/api/metrics/requests"};
        HttpMethod method = pick(random, new HttpMethod[] {HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE,
            HttpMethod.PATCH, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.valueOf("TRACE"),
            HttpMethod.valueOf("PROPFIND")});
        String path = pick(random, paths);
        // deleting the served model would change what later probes meet
        boolean admin = random.nextBoolean() && !(method == HttpMethod.DELETE && path.endsWith("/tiny"));
        boolean withBody = method == HttpMethod.PUT || method == HttpMethod.PATCH;
        return new Probe(method, path, withBody ? jsonType() : Map.of(),
                withBody ? "{\"capabilities\": \"x\"}".getBytes(StandardCharsets.UTF_8) : null, admin);
    }

    private static byte[] flip(byte[] valid, Random random, byte value) {
        byte[] copy = valid.clone();
        copy[1 + random.nextInt(copy.length - 2)] = value;
        return copy;
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
