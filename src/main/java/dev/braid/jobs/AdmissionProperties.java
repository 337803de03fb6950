package dev.braid.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.admission.*}: how much work may wait for a worker on this replica. A request waits
 * from admission until its first token (queue plus prefill); beyond either bound new requests get
 * 429 with {@code Retry-After: retryAfter}.
 *
 * @param maxQueuedRequests     requests waiting at most
 * @param maxQueuedPromptTokens prompt tokens of the waiting requests at most (prompt × n)
 */
@ConfigurationProperties("braid.admission")
public record AdmissionProperties(@DefaultValue("256") int maxQueuedRequests,
                                  @DefaultValue("262144") long maxQueuedPromptTokens,
                                  @DefaultValue("1s") Duration retryAfter) {
}
