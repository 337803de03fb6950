package dev.braid.security;

import dev.braid.api.ErrorResponses;
import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * What Spring Security refuses, in the format of the API that was called (OpenAI's envelope on
 * {@code /v1}, a ProblemDetail elsewhere): 401 with {@code WWW-Authenticate} naming the scheme to
 * use, 403, and 400 for a request its firewall rejects (an encoded slash or NUL in the path, a method
 * outside HTTP's usual ones).
 */
final class JsonErrorEntryPoint implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler,
        ServerExchangeRejectedHandler {

    private static final Set<HttpMethod> STANDARD_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
            HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

    private final ErrorResponses responses;

    JsonErrorEntryPoint(ErrorResponses responses) {
        this.responses = responses;
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
        boolean inference = ErrorResponses.isInference(exchange);
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE,
                inference ? "Bearer realm=\"braid\"" : "Basic realm=\"braid\"");
        return responses.write(exchange, new ServiceException(ErrorKind.UNAUTHORIZED, null, inference
                ? "a valid API key is required: send Authorization: Bearer <key>"
                : "admin credentials are required (HTTP Basic)"));
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        return responses.write(exchange, new ServiceException(ErrorKind.FORBIDDEN, null,
                "these credentials may not use " + exchange.getRequest().getPath().value()));
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, ServerExchangeRejectedException rejected) {
        // the firewall's own words name what it found ("%2F", the method); they hold no internals
        String field = STANDARD_METHODS.contains(exchange.getRequest().getMethod()) ? "path" : "method";
        return responses.write(exchange, ServiceException.invalid(field, rejected.getMessage()));
    }
}
