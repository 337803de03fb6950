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
     * A replica's claims back to the queue with their attempt returned, whether their run never
     * started or it was still going when the replica had to leave; a job whose cancellation was
     * asked is left to end as cancelled. The started time goes too when no counted run is left, so
     * such a job looks as if it was never claimed.
     */
    String HAND_BACK = """
            UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL,
                   attempts = GREATEST(attempts - 1, 0),
                   started_at = CASE WHEN attempts <= 1 THEN NULL ELSE started_at END,
                   updated_at = :now
            WHERE lease_owner = :owner AND state = 'running' AND cancel_requested = FALSE""";

    /**
     * Claimable jobs of one model, oldest first, locked for this transaction; rows another replica
     * is claiming right now are skipped rather than waited for.
     */
    @Query(value = """
            SELECT * FROM jobs
            WHERE model = :model
              AND (state = 'queued' OR (state = 'running' AND lease_until < :now))
            ORDER BY created_at
            LIMIT :limit
            FOR UPDATE SKIP LOCKED""", nativeQuery = true)
    List<Job> lockClaimable(String model, Instant now, int limit);

    @Modifying
    @Query("update Job j set j.leaseUntil = :until, j.updatedAt = :now "
            + "where j.id in :ids and j.leaseOwner = :owner and j.state = 'running'")
    int renew(Collection<UUID> ids, String owner, Instant until, Instant now);

    @Query("select j.id from Job j where j.id in :ids and j.cancelRequested = true")
    List<UUID> cancelRequested(Collection<UUID> ids);

    @Modifying
    @Query(value = HAND_BACK, nativeQuery = true)
    int handBackAll(String owner, Instant now);

    @Modifying
    @Query(value = HAND_BACK + " AND id = :id", nativeQuery = true)
    int handBack(String owner, UUID id, Instant now);
}
