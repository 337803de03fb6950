package dev.braid.jobs;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.stereotype.Component;

/**
 * Admission control in front of the workers: refuses with 503 while the replica is not ready or
 * is draining, and with 429 when the waiting queue is full by count or by prompt tokens. Lock-free,
 * so it runs on the event loop.
 */
@Component
public class Admission {

    private final AdmissionProperties properties;
    private final ApplicationAvailability availability;
    private final AtomicInteger queuedRequests = new AtomicInteger();
    private final AtomicLong queuedTokens = new AtomicLong();

    public Admission(AdmissionProperties properties, ApplicationAvailability availability) {
        this.properties = properties;
        this.availability = availability;
    }

    /** Held while the request waits; released (once) at its first token or when it ends. */
    public final class Permit {
        private final long tokens;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(long tokens) {
            this.tokens = tokens;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                queuedRequests.decrementAndGet();
                queuedTokens.addAndGet(-tokens);
            }
        }
    }

    /** Accepting traffic: started (seed models loaded) and not draining. */
    public boolean ready() {
        return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    }

    public void checkReady() {
        if (!ready()) {
            throw new ServiceException(ErrorKind.NOT_READY, null,
                    "the server is not ready (starting or draining); retry on another replica");
        }
    }

    public Permit acquire(long promptTokens) {
        checkReady();
        int requests = queuedRequests.incrementAndGet();
        long tokens = queuedTokens.addAndGet(promptTokens);
        if (requests > properties.maxQueuedRequests() || tokens > properties.maxQueuedPromptTokens()) {
            queuedRequests.decrementAndGet();
            queuedTokens.addAndGet(-promptTokens);
            String bound = requests > properties.maxQueuedRequests()
                    ? properties.maxQueuedRequests() + " requests" : properties.maxQueuedPromptTokens() + " prompt tokens";
            throw queueFull("the waiting queue is full (" + bound + " waiting); retry later");
        }
        return new Permit(promptTokens);
    }

    public ServiceException queueFull(String message) {
        return new ServiceException(ErrorKind.QUEUE_FULL, null, message,
                (int) Math.max(1, properties.retryAfter().toSeconds()));
    }

    /** Requests {@link #acquire} admits now by the count bound; the token bound is {@link #promptTokenRoom}. */
    public int requestRoom() {
        return Math.max(0, properties.maxQueuedRequests() - queuedRequests.get());
    }

    /** Prompt tokens (prompt × n) {@link #acquire} admits now. */
    public long promptTokenRoom() {
        return Math.max(0, properties.maxQueuedPromptTokens() - queuedTokens.get());
    }

    /** Whether a request of this many prompt tokens could ever be admitted, even with nothing waiting. */
    public boolean fitsEver(long promptTokens) {
        return promptTokens <= properties.maxQueuedPromptTokens();
    }

    public int queuedRequests() {
        return queuedRequests.get();
    }

    public long queuedPromptTokens() {
        return queuedTokens.get();
    }
}
