package dev.braid.api;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place an error becomes a response body, in the shape of the surface that was called:
 * OpenAI's envelope {@code {"error": {"message", "type", "param", "code"}}} on {@code /v1}, an RFC
 * 9457 ProblemDetail everywhere else, whose {@code type} is stable per error kind
 * ({@code https://braid.dev/problems/<kind>}), {@code code} repeats the kind and {@code field} names
 * the offending request field. Written as bytes, so no content negotiation can turn an error into
 * another error.
 */
@Component
public class ErrorResponses {

    public static final String TYPE_PREFIX = "https://braid.dev/problems/";

    private final JsonMapper mapper;

    public ErrorResponses(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The OpenAI-compatible surface: {@code /v1} and below. */
    public static boolean isInference(ServerWebExchange exchange) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    /** OpenAI's envelope; also the data of a stream's {@code error} event. */
    public static Map<String, Object> envelope(ServiceException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", e.getMessage());
        body.put("type", e.kind().openAiType());
        body.put("param", e.field());
        body.put("code", e.kind().code());
        return Map.of("error", body);
    }

    static Map<String, Object> problem(ServiceException e, String instance) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + e.kind().code().replace('_', '-'));
        body.put("title", title(e.kind()));
        body.put("status", e.kind().status());
        body.put("detail", e.getMessage());
        body.put("instance", instance);
        body.put("code", e.kind().code());
        if (e.field() != null) {
            body.put("field", e.field());
        }
        return body;
    }

    /** Writes {@code e} as the response, replacing whatever headers a failed handler had set. */
    public Mono<Void> write(ServerWebExchange exchange, ServiceException e) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.valueOf(e.kind().status()));
        HttpHeaders headers = response.getHeaders();
        headers.remove(HttpHeaders.LOCATION);
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        Object body;
        if (isInference(exchange)) {
            headers.setContentType(MediaType.APPLICATION_JSON);
            body = envelope(e);
        } else {
            headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            body = problem(e, exchange.getRequest().getPath().value());
        }
        if (e.retryAfterSeconds() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        }
        byte[] bytes = mapper.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    private static String title(ErrorKind kind) {
        String words = kind.code().replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
