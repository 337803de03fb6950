package dev.braid.jobs;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A row of the {@code jobs} queue. */
@Entity
@Table(name = "jobs")
public class Job {

    @Id
    private UUID id;
    @Column(nullable = false)
    private String state;
    @Column(nullable = false)
    private String model;
    @Column(nullable = false)
    private String request;
    private String result;
    private String error;
    private int attempts;
    @Column(name = "cancel_requested")
    private boolean cancelRequested;
    @Column(name = "lease_owner")
    private String leaseOwner;
    @Column(name = "lease_until")
    private Instant leaseUntil;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(name = "started_at")
    private Instant startedAt;
    @Column(name = "finished_at")
    private Instant finishedAt;
    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected Job() {
    }

    Job(UUID id, String model, String request) {
        this.id = id;
        this.model = model;
        this.request = request;
        this.state = JobState.QUEUED.id();
        this.createdAt = Instant.now();
        this.updatedAt = createdAt;
    }

    public UUID id() {
        return id;
    }

    public JobState state() {
        return JobState.of(state);
    }

    public String model() {
        return model;
    }

    public String request() {
        return request;
    }

    public String result() {
        return result;
    }

    public String error() {
        return error;
    }

    public int attempts() {
        return attempts;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public String leaseOwner() {
        return leaseOwner;
    }

    public Instant leaseUntil() {
        return leaseUntil;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    void claim(String owner, Instant until) {
        state = JobState.RUNNING.id();
        leaseOwner = owner;
        leaseUntil = until;
        attempts++;
        if (startedAt == null) {
            startedAt = Instant.now();
        }
        updatedAt = Instant.now();
    }

    /**
     * Fails the job because every run counted against it lost its lease. Handed-back claims are not
     * counted and a failed generation ends the job at once, so the counted runs are exactly those
     * whose replica stopped renewing: the message says so rather than blaming the job.
     */
    void abandon() {
        String last = leaseOwner == null ? ""
                : "; the last ran on " + leaseOwner + ", whose lease on it ran out at " + leaseUntil;
        finish(JobState.FAILED, null, "gave up after " + attempts + (attempts == 1 ? " started run" : " started runs")
                + ": each lost its lease because the replica running it stopped renewing it (it died or lost "
                + "the database)" + last);
    }

    void requestCancel() {
        cancelRequested = true;
        updatedAt = Instant.now();
    }

    void finish(JobState end, String result, String error) {
        state = end.id();
        this.result = result;
        this.error = error == null || error.length() <= 2048 ? error : error.substring(0, 2048);
        leaseOwner = null;
        leaseUntil = null;
        finishedAt = Instant.now();
        updatedAt = finishedAt;
    }
}
