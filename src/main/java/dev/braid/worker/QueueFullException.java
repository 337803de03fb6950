package dev.braid.worker;

/** The worker's waiting queue is at its bound; the caller should retry later. */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(String message) {
        super(message);
    }
}
