package dev.braid.jobs;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface JobRepository extends JpaRepository<Job, UUID> {

    /**
     * Claimable jobs for the given models, oldest first, locked for this transaction; rows another
     * replica is claiming right now are skipped rather than waited for.
     */
    @Query(value = """
            SELECT * FROM jobs
            WHERE model IN (:models)
              AND (state = 'queued' OR (state = 'running' AND lease_until < :now))
            ORDER BY created_at
            LIMIT :limit
            FOR UPDATE SKIP LOCKED""", nativeQuery = true)
    List<Job> lockClaimable(Collection<String> models, Instant now, int limit);

    @Modifying
    @Query("update Job j set j.leaseUntil = :until, j.updatedAt = :now "
            + "where j.id in :ids and j.leaseOwner = :owner and j.state = 'running'")
    int renew(Collection<UUID> ids, String owner, Instant until, Instant now);

    @Query("select j.id from Job j where j.id in :ids and j.cancelRequested = true")
    List<UUID> cancelRequested(Collection<UUID> ids);
}
