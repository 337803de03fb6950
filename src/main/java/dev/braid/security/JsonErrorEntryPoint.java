package dev.braid.security;

import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * 401 and 403 in the format of the API that was called: OpenAI's envelope on {@code /v1}, a
 * ProblemDetail elsewhere; with {@code WWW-Authenticate} naming the scheme to use.
 */
final class JsonErrorEntryPoint implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler {

    private final JsonMapper mapper;

    JsonErrorEntryPoint(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
        boolean inference = ApiKeyAuthentication.isInference(exchange);
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE,
                inference ? "Bearer realm=\"braid\"" : "Basic realm=\"braid\"");
        return write(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", inference
                ? "a valid API key is required: send Authorization: Bearer <key>"
                : "admin credentials are required (HTTP Basic)");
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        return write(exchange, HttpStatus.FORBIDDEN, "forbidden", "these credentials may not use "
                + exchange.getRequest().getPath().value());
    }

    private Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String code, String message) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        Object body;
        if (ApiKeyAuthentication.isInference(exchange)) {
            response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
            java.util.Map<String, Object> error = new java.util.LinkedHashMap<>();
            error.put("message", message);
            error.put("type", status == HttpStatus.UNAUTHORIZED ? "authentication_error" : "permission_error");
            error.put("param", null);
            error.put("code", code);
            body = java.util.Map.of("error", error);
        } else {
            response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            body = java.util.Map.of("type", "https://braid.dev/problems/" + code, "title", status.getReasonPhrase(),
                    "status", status.value(), "detail", message, "instance", exchange.getRequest().getPath().value());
        }
        byte[] bytes = mapper.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }
}
