package dev.braid.decoding.sgd;

/** A skeleton the model wrote that SGD cannot schedule; the message says why, for the trace. */
public final class MalformedSkeletonException extends Exception {

    public MalformedSkeletonException(String reason) {
        super(reason);
    }

    public String reason() {
        return getMessage();
    }
}
