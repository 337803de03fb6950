package dev.braid.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.jobs.*}: the durable job queue.
 *
 * @param replicaId         this replica's name as lease owner; empty means a generated one
 * @param lease             how long a claim holds without renewal; a dead replica's jobs are claimed
 *                          again after it (renewed every third of it)
 * @param pollInterval      how often idle replicas look for claimable jobs, and how often the queue's
 *                          gauges are counted
 * @param maxRunning        jobs this replica runs at once
 * @param maxAttempts       started runs of one job that may lose their lease (their replica died)
 *                          before the job is failed; a claim handed back before its run started
 *                          does not count
 * @param queuedAlertAfter  a job queued for longer than this is stale: counted in
 *                          {@code braid_jobs_queued_stale} and marked in the console
 */
@ConfigurationProperties("braid.jobs")
public record JobsProperties(String replicaId,
                             @DefaultValue("30s") Duration lease,
                             @DefaultValue("500ms") Duration pollInterval,
                             @DefaultValue("8") int maxRunning,
                             @DefaultValue("3") int maxAttempts,
                             @DefaultValue("5m") Duration queuedAlertAfter) {
}
