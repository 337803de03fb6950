package dev.braid.ops;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.ops.*}: how a replica leaves.
 *
 * @param drainTimeout how long shutdown waits for the requests and jobs already on the workers to
 *                     finish; jobs still running after it go back to the queue for another replica.
 *                     Kubernetes' terminationGracePeriodSeconds must exceed preStop pause + this +
 *                     the web server's graceful phase, or the pod is killed mid-drain.
 */
@ConfigurationProperties("braid.ops")
public record OpsProperties(@DefaultValue("30s") Duration drainTimeout) {
}
