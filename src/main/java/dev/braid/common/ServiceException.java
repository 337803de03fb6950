package dev.braid.common;

/**
 * A failure the client caused or must react to. {@code field} names the offending request field
 * (dotted path, as the client spelled it) when one is to blame; {@code retryAfterSeconds} is set
 * for {@link ErrorKind#QUEUE_FULL}.
 */
public class ServiceException extends RuntimeException {

    private final ErrorKind kind;
    private final String field;
    private final Integer retryAfterSeconds;

    public ServiceException(ErrorKind kind, String field, String message) {
        this(kind, field, message, null);
    }

    public ServiceException(ErrorKind kind, String field, String message, Integer retryAfterSeconds) {
        super(message);
        this.kind = kind;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ServiceException invalid(String field, String message) {
        return new ServiceException(ErrorKind.INVALID_REQUEST, field, message);
    }

    public ErrorKind kind() {
        return kind;
    }

    public String field() {
        return field;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
