package dev.braid.ops;

import dev.braid.jobs.JobHandBack;
import dev.braid.jobs.JobsProperties;
import dev.braid.registry.ModelRegistry;
import dev.braid.registry.ServedModel;
import dev.braid.worker.WorkerStats;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Lets a stopping replica finish what it holds. Spring stops lifecycles from the highest phase down:
 * the job runner (default phase) stops claiming first, then this drain waits — at most
 * {@code braid.ops.drain-timeout} — until the workers hold no requests and no job leased to this
 * replica is still running, renewing those leases meanwhile (the job runner's own renewal has
 * stopped, and a lapsed lease would let another replica run the job a second time). Jobs still
 * running at the deadline are handed back to the queue, their attempt not counted, so a rolling
 * update never fails a job. Only then does the web server's graceful phase run, which has nothing
 * left to wait for. New requests are refused with 503 throughout, since readiness is REFUSING_TRAFFIC.
 */
@Component
public class ShutdownDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ShutdownDrain.class);
    /** After the job runner (DEFAULT_PHASE), before the web server's graceful shutdown (DEFAULT_PHASE - 1024). */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;
    private static final long POLL_MS = 200;

    private final ModelRegistry registry;
    private final JdbcTemplate jdbc;
    private final JobsProperties jobs;
    private final JobHandBack handBack;
    private final OpsProperties properties;
    private final ApplicationEventPublisher events;
    private volatile boolean running;
    private volatile boolean draining;

    public ShutdownDrain(ModelRegistry registry, JdbcTemplate jdbc, JobsProperties jobs, JobHandBack handBack,
                         OpsProperties properties, ApplicationEventPublisher events) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.handBack = handBack;
        this.properties = properties;
        this.events = events;
    }

    public boolean isDraining() {
        return draining;
    }

    /** Requests running or queued on this replica's workers, across every loaded model. */
    public int inFlight() {
        int total = 0;
        for (ServedModel model : registry.servedModels()) {
            for (WorkerStats stats : model.workerStats()) {
                total += stats.runningTasks() + stats.waitingTasks();
            }
        }
        return total;
    }

    @Override
    public void start() {
        // A stopped context can be started again (Spring's test context cache pauses idle contexts
        // this way): it must take traffic again. The first start leaves readiness to Spring Boot,
        // which accepts traffic only once the models have loaded.
        if (draining) {
            draining = false;
            AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
        running = true;
    }

    @Override
    public void stop() {
        draining = true;
        // Web contexts publish this when they start closing; publishing it here too keeps the
        // drain correct in any context and makes admission refuse new work before we wait.
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        try {
            drain(properties.drainTimeout());
        } finally {
            running = false;
        }
    }

    /** Waits for in-flight work, then hands back what is left; returns the jobs handed back. */
    int drain(Duration timeout) {
        String owner = replicaId();
        long deadline = System.nanoTime() + timeout.toNanos();
        long renewEvery = Math.max(POLL_MS, jobs.lease().toMillis() / 3) * 1_000_000L;
        long nextRenewal = System.nanoTime();
        int requests = inFlight();
        int ownJobs = runningJobs(owner);
        log.info("draining: {} requests on the workers, {} jobs running here (up to {})", requests, ownJobs, timeout);
        while ((requests > 0 || ownJobs > 0) && System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextRenewal) {
                renewLeases(owner);
                nextRenewal = System.nanoTime() + renewEvery;
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            requests = inFlight();
            ownJobs = runningJobs(owner);
        }
        int handedBack = ownJobs > 0 ? requeue(owner) : 0;
        if (requests > 0 || handedBack > 0) {
            log.warn("drain ended with {} requests still on the workers; {} jobs handed back to the queue",
                    requests, handedBack);
        } else {
            log.info("drained");
        }
        return handedBack;
    }

    private String replicaId() {
        String id = jobs.replicaId();
        if (id == null || id.isBlank()) {
            // the job runner generated its name, so its rows cannot be found here: leases simply expire
            log.warn("braid.jobs.replica-id is not set: running jobs cannot be handed back at shutdown");
            return null;
        }
        return id;
    }

    private int runningJobs(String owner) {
        if (owner == null) {
            return 0;
        }
        try {
            Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE lease_owner = ? AND state = 'running'",
                    Integer.class, owner);
            return n == null ? 0 : n;
        } catch (RuntimeException e) {
            // database down: nothing can be handed back either; wait for the workers only
            log.debug("cannot count running jobs: {}", e.getMessage());
            return 0;
        }
    }

    private void renewLeases(String owner) {
        if (owner == null) {
            return;
        }
        try {
            Instant now = Instant.now();
            jdbc.update("UPDATE jobs SET lease_until = ?, updated_at = ? WHERE lease_owner = ? AND state = 'running'",
                    Timestamp.from(now.plus(jobs.lease())), Timestamp.from(now), owner);
        } catch (RuntimeException e) {
            log.warn("cannot renew job leases while draining: {}", e.getMessage());
        }
    }

    /**
     * Back to queued, unowned, with this claim's attempt returned: the job did nothing wrong. The
     * generation still running here finds its lease gone when it ends and drops its result.
     * Jobs whose cancellation was asked are left to end as cancelled.
     */
    int requeue(String owner) {
        if (owner == null) {
            return 0;
        }
        try {
            return handBack.all(owner);
        } catch (RuntimeException e) {
            log.warn("cannot hand jobs back to the queue: {}; their leases expire instead", e.getMessage());
            return 0;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
