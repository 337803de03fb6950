package dev.braid.api;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;

/**
 * Errors of Braid's own {@code /api} endpoints as RFC 9457 ProblemDetails. {@code type} is stable
 * per error kind ({@code https://braid.dev/problems/<kind>}), {@code field} names the offending
 * request field when there is one, {@code code} repeats the kind.
 */
@RestControllerAdvice(assignableTypes = {AdminModelsController.class, JobsController.class, MetricsController.class,
        ConsoleListsController.class})
public class ProblemErrors {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrors.class);
    public static final String TYPE_PREFIX = "https://braid.dev/problems/";

    @ExceptionHandler(Throwable.class)
    ResponseEntity<ProblemDetail> handle(Throwable error, ServerWebExchange exchange) {
        ServiceException e = ErrorMapping.toServiceException(error);
        if (e.kind() == ErrorKind.GENERATION_FAILED) {
            log.error("request {} failed", exchange.getRequest().getPath(), error);
        }
        HttpStatus status = HttpStatus.valueOf(e.kind().status());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setType(URI.create(TYPE_PREFIX + e.kind().code().replace('_', '-')));
        problem.setTitle(title(e.kind()));
        problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        problem.setProperty("code", e.kind().code());
        if (e.field() != null) {
            problem.setProperty("field", e.field());
        }
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (e.retryAfterSeconds() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        }
        return builder.body(problem);
    }

    private static String title(ErrorKind kind) {
        String words = kind.code().replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
