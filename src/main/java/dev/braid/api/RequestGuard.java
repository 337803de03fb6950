package dev.braid.api;

import dev.braid.common.ServiceException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The edge: refuses what no endpoint may take before anything else reads it. Text with a NUL
 * character (PostgreSQL cannot store it, and no prompt, name or filter needs it) anywhere a client
 * can put it — a path segment, a query parameter, a JSON string or property name — is a 400 naming
 * where it was; a JSON body that is not valid UTF-8 is a 400; a body over
 * {@code braid.api.max-body-size} is a 413. Runs first, so even an unauthenticated request gets
 * the surface's error shape. Also stamps each request's start, which latency of a refusal needs.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestGuard implements WebFilter {

    static final String START_NANOS = RequestGuard.class.getName() + ".start";
    private static final char NUL = '\0';

    private final JsonMapper mapper;
    private final int maxBodyBytes;

    RequestGuard(JsonMapper mapper, ApiProperties properties) {
        this.mapper = mapper;
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE, properties.maxBodySize().toBytes());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getAttributes().put(START_NANOS, System.nanoTime());
        ServerHttpRequest request = exchange.getRequest();
        try {
            checkPath(request);
            checkQuery(request);
        } catch (ServiceException e) {
            return Mono.error(e);
        }
        if (!hasJsonBody(request)) {
            return chain.filter(exchange);
        }
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBodyBytes) {
            return Mono.error(ErrorMapping.tooLarge());
        }
        return DataBufferUtils.join(request.getBody(), maxBodyBytes)
                .map(RequestGuard::bytes)
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class, e -> ErrorMapping.tooLarge())
                .flatMap(body -> {
                    checkBody(body);
                    return chain.filter(exchange.mutate().request(replay(request, exchange, body)).build());
                });
    }

    private static void checkPath(ServerHttpRequest request) {
        for (PathContainer.Element element : request.getPath().pathWithinApplication().elements()) {
            if (element instanceof PathContainer.PathSegment segment && segment.valueToMatch().indexOf(NUL) >= 0) {
                throw ServiceException.invalid("path", "the request path must not contain a NUL character");
            }
        }
    }

    private static void checkQuery(ServerHttpRequest request) {
        Map<String, List<String>> params;
        try {
            params = request.getQueryParams();
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid("query", "the query string is not valid percent-encoding");
        }
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            String name = param.getKey();
            if (name.indexOf(NUL) >= 0) {
                throw ServiceException.invalid("query", "a query parameter name contains a NUL character");
            }
            for (String value : param.getValue()) {
                if (value != null && value.indexOf(NUL) >= 0) {
                    throw ServiceException.invalid(name, "query parameter '" + name + "' must not contain a NUL "
                            + "character");
                }
            }
        }
    }

    private static boolean hasJsonBody(ServerHttpRequest request) {
        HttpMethod method = request.getMethod();
        if (method != HttpMethod.POST && method != HttpMethod.PUT && method != HttpMethod.PATCH) {
            return false;
        }
        MediaType type;
        try {
            type = request.getHeaders().getContentType();
        } catch (RuntimeException e) {
            return false; // unparseable: the handler mapping answers 415
        }
        return type != null && (MediaType.APPLICATION_JSON.isCompatibleWith(type)
                || type.getSubtype().endsWith("+json"));
    }

    private void checkBody(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw ServiceException.invalid(null, "the request body is not valid UTF-8");
        }
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.PROPERTY_NAME && parser.currentName().indexOf(NUL) >= 0) {
                    String parent = path(parser.streamReadContext().getParent());
                    throw nul(parent, "a property name" + (parent.isEmpty() ? "" : " in '" + parent + "'"));
                }
                if (token == JsonToken.VALUE_STRING && parser.getString().indexOf(NUL) >= 0) {
                    String field = path(parser.streamReadContext());
                    throw nul(field, field.isEmpty() ? "the body" : "'" + field + "'");
                }
            }
        } catch (JacksonException e) {
            // not JSON: the endpoint's own reader says where and why
        }
    }

    private static ServiceException nul(String field, String what) {
        return ServiceException.invalid(field.isEmpty() ? null : field, what + " must not contain a NUL character "
                + "(\\u0000)");
    }

    /** {@code messages[0].content}: the path as the error envelopes name fields. */
    private static String path(TokenStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (TokenStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                path.insert(0, "[" + c.getCurrentIndex() + "]");
            } else if (c.currentName() != null) {
                path.insert(0, "." + c.currentName());
            }
        }
        return path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** The request with its body, already read here, readable again by the handler. */
    private static ServerHttpRequest replay(ServerHttpRequest request, ServerWebExchange exchange, byte[] body) {
        return new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return Flux.defer(() -> Flux.just(exchange.getResponse().bufferFactory().wrap(body)));
            }
        };
    }
}
