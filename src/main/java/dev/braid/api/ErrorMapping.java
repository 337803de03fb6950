package dev.braid.api;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.MediaType;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Maps any failure of a request to a {@link ServiceException}, so that both error formats (OpenAI's
 * envelope on {@code /v1}, ProblemDetail on {@code /api}) say the same thing. Unreadable JSON is
 * reported with the path of the field it broke at. A failure that is not the client's is logged
 * with a reference, and only the reference reaches the client: exception text can hold SQL,
 * class names or file paths.
 */
final class ErrorMapping {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    static ServiceException toServiceException(Throwable error) {
        if (error instanceof ServiceException e) {
            return e;
        }
        if (error instanceof DataBufferLimitException || causedBy(error, DataBufferLimitException.class)) {
            return tooLarge();
        }
        if (error instanceof ServerWebInputException e) {
            JacksonException json = jackson(e);
            if (json != null) {
                return invalidJson(json);
            }
            if (e instanceof MissingRequestValueException missing) {
                return ServiceException.invalid(missing.getName(), missing.getName() + " is required");
            }
            if (e.getMethodParameter() != null && e.getMethodParameter().getParameterName() != null) {
                String name = e.getMethodParameter().getParameterName();
                return ServiceException.invalid(name, "invalid value for '" + name + "'");
            }
            return ServiceException.invalid(null, "the request cannot be read");
        }
        if (error instanceof UnsupportedMediaTypeStatusException e) {
            MediaType type = e.getContentType();
            return new ServiceException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, null, type == null
                    ? "send the request body as application/json with Content-Type: application/json"
                    : "send the request body as application/json (got Content-Type " + type + ")");
        }
        if (error instanceof NotAcceptableStatusException) {
            return new ServiceException(ErrorKind.NOT_ACCEPTABLE, null,
                    "this endpoint answers application/json (streams: text/event-stream); accept one of them");
        }
        if (error instanceof MethodNotAllowedException e) {
            return new ServiceException(ErrorKind.METHOD_NOT_ALLOWED, null, "method " + e.getHttpMethod()
                    + " is not allowed here; allowed: " + e.getSupportedMethods());
        }
        if (error instanceof ResponseStatusException e) {
            int status = e.getStatusCode().value();
            switch (status) {
                case 404:
                    return new ServiceException(ErrorKind.NOT_FOUND, null, "no such endpoint");
                case 413:
                    return tooLarge();
                case 400:
                    return ServiceException.invalid(null, "the request cannot be read");
                default:
                    break;
            }
        }
        String incident = UUID.randomUUID().toString().substring(0, 8);
        log.error("request failed (incident {})", incident, error);
        return new ServiceException(ErrorKind.INTERNAL_ERROR, null,
                "the server failed to process the request; the server log has the details under incident " + incident);
    }

    static ServiceException tooLarge() {
        return new ServiceException(ErrorKind.PAYLOAD_TOO_LARGE, null, "the request body is larger than this server "
                + "accepts (braid.api.max-body-size)");
    }

    static ServiceException invalidJson(JacksonException json) {
        String field = path(json);
        if (json instanceof StreamConstraintsException) {
            return ServiceException.invalid(field, "the request body exceeds a JSON limit (nesting, number or "
                    + "string length)");
        }
        if (json instanceof MismatchedInputException mismatch && field != null) {
            String expected = expected(mismatch.getTargetType());
            if (expected != null) {
                return ServiceException.invalid(field, "invalid type for '" + field + "': expected " + expected
                        + ", got " + describe(mismatch));
            }
            return ServiceException.invalid(field, "invalid value for '" + field + "'");
        }
        String what = json.getOriginalMessage();
        int cut = what == null ? -1 : what.indexOf('\n');
        what = cut > 0 ? what.substring(0, cut) : what;
        if (field == null) {
            return ServiceException.invalid(null, "the request body is not valid JSON: " + what);
        }
        return ServiceException.invalid(field, "invalid value for '" + field + "': " + what);
    }

    /** What the client should have sent, in JSON's words rather than Java's. */
    private static String expected(Class<?> target) {
        if (target == null) {
            return null;
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "an integer";
        }
        if (target == Double.class || target == double.class || target == Float.class || target == float.class) {
            return "a number";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "a boolean";
        }
        if (target == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "an array";
        }
        if (target.isRecord() || java.util.Map.class.isAssignableFrom(target)) {
            return "an object";
        }
        return null;
    }

    private static String describe(MismatchedInputException json) {
        JsonToken token = json.getCurrentToken();
        if (token == null && json.processor() instanceof tools.jackson.core.JsonParser parser) {
            token = parser.currentToken();
        }
        if (token == null) {
            return "another type";
        }
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> "another type";
        };
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private static JacksonException jackson(Throwable e) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof JacksonException json) {
                return json;
            }
            if (cause instanceof DecodingException && cause.getCause() == null) {
                return null;
            }
            cause = cause.getCause();
        }
        return null;
    }

    /** {@code messages[0].role}: the JSON path as the client wrote it (names are snake_case already). */
    static String path(JacksonException e) {
        List<JacksonException.Reference> refs = e.getPath();
        if (refs == null || refs.isEmpty()) {
            return null;
        }
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : refs) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? null : path.toString();
    }
}
