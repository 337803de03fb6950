package dev.braid.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import reactor.core.publisher.Mono;

/** Bearer API keys for the inference endpoints, compared in constant time. */
final class ApiKeyAuthentication {

    static final String ROLE = "CLIENT";

    private ApiKeyAuthentication() {
    }

    /** An API key as presented, then as accepted. */
    static final class KeyToken extends AbstractAuthenticationToken {
        private final String key;

        KeyToken(String key, boolean authenticated) {
            super(authenticated ? AuthorityUtils.createAuthorityList("ROLE_" + ROLE) : List.of());
            this.key = key;
            setAuthenticated(authenticated);
        }

        @Override
        public Object getCredentials() {
            return key;
        }

        @Override
        public Object getPrincipal() {
            return "api-key:" + Integer.toHexString(key.hashCode());
        }
    }

    static ServerAuthenticationConverter converter() {
        return exchange -> {
            String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Mono.empty();
            }
            return Mono.just(new KeyToken(header.substring(7).trim(), false));
        };
    }

    static ReactiveAuthenticationManager manager(List<String> keys) {
        List<byte[]> accepted = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        return authentication -> {
            byte[] presented = String.valueOf(authentication.getCredentials()).getBytes(StandardCharsets.UTF_8);
            boolean match = false;
            for (byte[] key : accepted) {
                match |= MessageDigest.isEqual(key, presented);
            }
            return match ? Mono.<Authentication>just(new KeyToken(String.valueOf(authentication.getCredentials()), true))
                    : Mono.error(new BadCredentialsException("invalid API key"));
        };
    }
}
