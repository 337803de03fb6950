package dev.braid.model;

/**
 * A checkpoint folder, config file or weight file that cannot be used. Messages always name the
 * offending file and, where one is to blame, the field or tensor, because the person reading
 * them usually has a multi-gigabyte download in front of them and needs to know where to look.
 */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
