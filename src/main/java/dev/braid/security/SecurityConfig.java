package dev.braid.security;

import dev.braid.api.ErrorResponses;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;

/**
 * Admin endpoints ({@code /api/admin/**}, the console, actuator beyond health/info/prometheus) need the admin's
 * HTTP Basic credentials. Inference and the jobs and metrics APIs are open unless API keys are
 * configured; then they need a Bearer key (or the admin's credentials).
 */
@Configuration
@EnableWebFluxSecurity
class SecurityConfig {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    MapReactiveUserDetailsService adminUser(SecurityProperties properties, PasswordEncoder encoder) {
        String password = properties.adminPassword();
        if (password == null || password.isBlank()) {
            if (properties.requireAdminPassword()) {
                throw new IllegalStateException("braid.security.admin-password (BRAID_SECURITY_ADMIN_PASSWORD) must be "
                        + "set: this profile does not generate one");
            }
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            password = HexFormat.of().formatHex(random);
            log.warn("no braid.security.admin-password configured; generated admin password for user '{}': {}",
                    properties.adminUsername(), password);
        }
        return new MapReactiveUserDetailsService(User.withUsername(properties.adminUsername())
                .password(encoder.encode(password)).roles("ADMIN").build());
    }

    /**
     * Also the {@link ServerExchangeRejectedHandler} Spring Security's filter chain proxy picks up for
     * requests its firewall rejects, so there must be no other bean of that type.
     */
    @Bean
    JsonErrorEntryPoint securityErrors(ErrorResponses responses) {
        return new JsonErrorEntryPoint(responses);
    }

    @Bean
    SecurityWebFilterChain securityChain(ServerHttpSecurity http, SecurityProperties properties,
                                         JsonErrorEntryPoint errors) {
        boolean keys = !properties.apiKeys().isEmpty();
        http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .httpBasic(basic -> basic.authenticationEntryPoint(errors))
                .exceptionHandling(e -> e.authenticationEntryPoint(errors).accessDeniedHandler(errors))
                .authorizeExchange(ex -> {
                    ex.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/info",
                            "/actuator/prometheus").permitAll();
                    // The console and the libraries it loads are admin-only like the API it drives; the
                    // browser asks for the Basic credentials once and resends them on its fetch calls.
                    ex.pathMatchers("/api/admin/**", "/actuator/**", "/console", "/console/**", "/webjars/**")
                            .hasRole("ADMIN");
                    if (keys) {
                        ex.pathMatchers("/v1/**", "/api/**").hasAnyRole("ADMIN", ApiKeyAuthentication.ROLE);
                    }
                    ex.anyExchange().permitAll();
                });
        if (keys) {
            AuthenticationWebFilter bearer = new AuthenticationWebFilter(
                    ApiKeyAuthentication.manager(properties.apiKeys()));
            bearer.setServerAuthenticationConverter(ApiKeyAuthentication.converter());
            bearer.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(errors));
            http.addFilterAt(bearer, SecurityWebFiltersOrder.AUTHENTICATION);
        }
        return http.build();
    }
}
