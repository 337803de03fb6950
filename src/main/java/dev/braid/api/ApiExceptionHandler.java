package dev.braid.api;

import dev.braid.common.ServiceException;
import dev.braid.metrics.MetricsRecorder;
import dev.braid.metrics.RequestRecord;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Every error of every request ends here, whether a controller raised it or Spring did before one
 * was chosen (unknown path, wrong method, media types, body too large) or a filter at the edge:
 * so each surface answers in one shape with the right status. Ordered before Spring Boot's own
 * error handler (-1), which would answer with its default JSON or an HTML page.
 *
 * <p>A completions request refused before it reached a worker is also recorded as a metrics row
 * (outcome {@code rejected}); requests that reached one are recorded by their generation.
 */
@Component
@Order(-2)
class ApiExceptionHandler implements WebExceptionHandler {

    /** Set by {@link OpenAiController} once the generation is queued: from then on it records itself. */
    static final String STARTED = ApiExceptionHandler.class.getName() + ".started";

    private final ErrorResponses responses;
    private final MetricsRecorder metrics;

    ApiExceptionHandler(ErrorResponses responses, MetricsRecorder metrics) {
        this.responses = responses;
        this.metrics = metrics;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        ServiceException e = ErrorMapping.toServiceException(error);
        if (error instanceof MethodNotAllowedException notAllowed) {
            exchange.getResponse().getHeaders().setAllow(notAllowed.getSupportedMethods());
        }
        recordRejection(exchange, e);
        return responses.write(exchange, e);
    }

    private void recordRejection(ServerWebExchange exchange, ServiceException e) {
        if (exchange.getAttribute(STARTED) != null) {
            return;
        }
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        String endpoint = path.equals("/v1/chat/completions") ? "chat"
                : path.equals("/v1/completions") ? "completions" : null;
        if (endpoint == null) {
            return;
        }
        Long start = exchange.getAttribute(RequestGuard.START_NANOS);
        double latency = start == null ? 0 : (System.nanoTime() - start) / 1e6;
        metrics.record(RequestRecord.rejected(endpoint, exchange.getAttribute(OpenAiController.MODEL), latency,
                e.kind().code()));
    }
}
