package dev.braid.kv;

/** The block pool cannot serve a request; the caller queues or preempts, nothing was changed. */
public final class KvCapacityException extends RuntimeException {
    public KvCapacityException(String message) {
        super(message);
    }
}
