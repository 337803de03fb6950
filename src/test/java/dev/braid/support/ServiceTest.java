package dev.braid.support;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Full-context tests on PostgreSQL with the llama-tiny fixture registered as {@code tiny}, the only
 * model (the bundled ones are off). The context (and its database) is shared by every subclass that
 * adds no configuration of its own.
 */
public abstract class ServiceTest {

    public static final String MODEL = "tiny";
    public static final String ADMIN_PASSWORD = "test-admin-password";
    public static final Path FIXTURE = Path.of("src/test/resources/hf-tiny/llama-tiny");
    private static TestDatabases.Database database;

    @DynamicPropertySource
    static void service(DynamicPropertyRegistry registry) {
        properties(registry, database());
    }

    /** The service's test configuration on database {@code db}; for tests that need a context of their own. */
    public static void properties(DynamicPropertyRegistry registry, TestDatabases.Database db) {
        registry.add("spring.datasource.url", db::url);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
        // only the fixture: the bundled models would cost every context their load time
        registry.add("braid.models.bundled", () -> "false");
        registry.add("braid.models.seed[0].name", () -> MODEL);
        registry.add("braid.models.seed[0].path", () -> FIXTURE.toString());
        registry.add("braid.security.admin-password", () -> ADMIN_PASSWORD);
        registry.add("braid.metrics.flush-interval", () -> "200ms");
        registry.add("braid.jobs.poll-interval", () -> "200ms");
        registry.add("braid.jobs.lease", () -> "3s");
        // tests assert auto's rules; exploration is tested on the selector alone
        registry.add("braid.strategy.explore-every", () -> "0");
    }

    public static synchronized TestDatabases.Database database() {
        if (database == null) {
            database = TestDatabases.create();
        }
        return database;
    }
}
