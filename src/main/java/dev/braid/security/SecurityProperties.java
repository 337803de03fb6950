package dev.braid.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.security.*}: who may call what.
 *
 * @param adminUsername          user for HTTP Basic on {@code /api/admin/**} and the actuator
 * @param adminPassword          its password; when empty a random one is generated and logged at
 *                               start, unless {@code requireAdminPassword} (the {@code prod}
 *                               profile) makes an empty one a startup error
 * @param requireAdminPassword   refuse to start without a configured admin password
 * @param apiKeys                when non-empty, inference ({@code /v1/**}, {@code /api/jobs/**},
 *                               {@code /api/metrics/**}) needs {@code Authorization: Bearer <key>}
 */
@ConfigurationProperties("braid.security")
public record SecurityProperties(@DefaultValue("admin") String adminUsername,
                                 String adminPassword,
                                 @DefaultValue("false") boolean requireAdminPassword,
                                 @DefaultValue List<String> apiKeys) {

    public SecurityProperties {
        apiKeys = apiKeys == null ? List.of() : apiKeys.stream().filter(k -> !k.isBlank()).toList();
    }
}
