package dev.braid.common;

/**
 * Every way a request to Braid can fail that the client should understand, with its HTTP status.
 * The name is the stable identifier: it is the OpenAI error {@code code} on {@code /v1} and the
 * last segment of the ProblemDetail {@code type} on {@code /api}.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request_error"),
    CONTEXT_LENGTH_EXCEEDED(400, "invalid_request_error"),
    UNSUPPORTED_STRATEGY(400, "invalid_request_error"),
    UNAUTHORIZED(401, "authentication_error"),
    FORBIDDEN(403, "permission_error"),
    MODEL_NOT_FOUND(404, "invalid_request_error"),
    NOT_FOUND(404, "invalid_request_error"),
    METHOD_NOT_ALLOWED(405, "invalid_request_error"),
    NOT_ACCEPTABLE(406, "invalid_request_error"),
    MODEL_NOT_LOADED(409, "invalid_request_error"),
    CONFLICT(409, "invalid_request_error"),
    PAYLOAD_TOO_LARGE(413, "invalid_request_error"),
    UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error"),
    QUEUE_FULL(429, "rate_limit_error"),
    /** A failure of the server itself; its message never carries internals, the log has them. */
    INTERNAL_ERROR(500, "server_error"),
    NOT_READY(503, "server_error");

    private final int status;
    private final String openAiType;

    ErrorKind(int status, String openAiType) {
        this.status = status;
        this.openAiType = openAiType;
    }

    public int status() {
        return status;
    }

    public String openAiType() {
        return openAiType;
    }

    /** {@code model_not_found}: the code OpenAI clients see and the ProblemDetail type's slug. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
