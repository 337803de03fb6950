package dev.braid.jobs;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way a replica returns jobs it holds to the queue without spending their attempt: the job
 * runner for a claim whose run could not start (not ready, queue full, draining), the shutdown drain
 * for runs it could not finish before its deadline. Neither says anything about the job, so neither
 * may bring it closer to {@code braid.jobs.max-attempts}.
 */
@Component
public class JobHandBack {

    private final JobRepository repository;
    private final TransactionTemplate tx;

    JobHandBack(JobRepository repository, TransactionTemplate tx) {
        this.repository = repository;
        this.tx = tx;
    }

    /** Every job {@code owner} holds; returns how many went back. Blocking. */
    public int all(String owner) {
        return Objects.requireNonNull(tx.execute(status -> repository.handBackAll(owner, Instant.now())));
    }

    /** One job {@code owner} holds; false if it no longer does, or the job's cancellation was asked. */
    boolean one(String owner, UUID id) {
        return Objects.requireNonNull(tx.execute(status -> repository.handBack(owner, id, Instant.now()))) == 1;
    }
}
