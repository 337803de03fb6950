package dev.braid.api;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.metrics.MetricsRecorder;
import dev.braid.metrics.RequestRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;

/**
 * Errors of {@code /v1} in OpenAI's envelope: {@code {"error": {"message", "type", "param", "code"}}}.
 * A request refused before it reached a worker is also recorded as a metrics row (outcome
 * {@code rejected}); requests that reached one are recorded by their generation.
 */
@RestControllerAdvice(assignableTypes = OpenAiController.class)
public class OpenAiErrors {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrors.class);
    static final String RECORDED = OpenAiErrors.class.getName() + ".recorded";
    static final String STARTED = OpenAiErrors.class.getName() + ".started";

    private final MetricsRecorder metrics;

    public OpenAiErrors(MetricsRecorder metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(Throwable.class)
    ResponseEntity<Map<String, Object>> handle(Throwable error, ServerWebExchange exchange) {
        ResponseEntity<Map<String, Object>> response = envelope(error);
        if (exchange.getAttribute(STARTED) == null) {
            Long start = exchange.getAttribute(OpenAiController.START_NANOS);
            double latency = start == null ? 0 : (System.nanoTime() - start) / 1e6;
            ServiceException e = ErrorMapping.toServiceException(error);
            String endpoint = exchange.getRequest().getPath().value().endsWith("/chat/completions") ? "chat"
                    : exchange.getRequest().getPath().value().endsWith("/completions") ? "completions" : null;
            if (endpoint != null) {
                metrics.record(RequestRecord.rejected(endpoint, exchange.getAttribute(OpenAiController.MODEL),
                        latency, e.kind().code()));
            }
        }
        return response;
    }

    /** The envelope and status for {@code error}; also the body of a stream's {@code error} event. */
    public ResponseEntity<Map<String, Object>> envelope(Throwable error) {
        ServiceException e = ErrorMapping.toServiceException(error);
        if (e.kind() == ErrorKind.GENERATION_FAILED) {
            log.error("request failed", error);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", e.getMessage());
        body.put("type", e.kind().openAiType());
        body.put("param", e.field());
        body.put("code", e.kind().code());
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(HttpStatus.valueOf(e.kind().status()))
                .contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfterSeconds() != null) {
            builder.header(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        }
        return builder.body(Map.of("error", body));
    }
}
