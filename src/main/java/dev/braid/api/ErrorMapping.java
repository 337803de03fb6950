package dev.braid.api;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import java.util.List;
import org.springframework.core.codec.DecodingException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import tools.jackson.core.JacksonException;

/**
 * Maps any failure of a request to a {@link ServiceException}, so that both error formats (OpenAI's
 * envelope on {@code /v1}, ProblemDetail on {@code /api}) say the same thing. Unreadable JSON is
 * reported with the path of the field it broke at.
 */
final class ErrorMapping {

    private ErrorMapping() {
    }

    static ServiceException toServiceException(Throwable error) {
        if (error instanceof ServiceException e) {
            return e;
        }
        if (error instanceof ServerWebInputException e) {
            JacksonException json = jackson(e);
            if (json != null) {
                String field = path(json);
                String what = json.getOriginalMessage();
                int cut = what.indexOf('\n');
                what = cut > 0 ? what.substring(0, cut) : what;
                if (field == null) {
                    return ServiceException.invalid(null, "the request body is not valid JSON: " + what);
                }
                return ServiceException.invalid(field, "invalid value for '" + field + "': " + what);
            }
            return ServiceException.invalid(null, e.getReason() == null ? "the request cannot be read" : e.getReason());
        }
        if (error instanceof UnsupportedMediaTypeStatusException e) {
            return new ServiceException(ErrorKind.INVALID_REQUEST, null,
                    "send the request body as application/json (got " + e.getContentType() + ")");
        }
        if (error instanceof MethodNotAllowedException e) {
            return new ServiceException(ErrorKind.NOT_FOUND, null, e.getReason());
        }
        if (error instanceof ResponseStatusException e && e.getStatusCode().value() == 404) {
            return new ServiceException(ErrorKind.NOT_FOUND, null, e.getReason());
        }
        return new ServiceException(ErrorKind.GENERATION_FAILED, null,
                "the server failed to process the request: " + error.getMessage());
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
    private static String path(JacksonException e) {
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
