package dev.braid.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.braid.BraidApplication;
import dev.braid.support.ServiceTest;
import dev.braid.support.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Jobs outlive a replica killed mid-run. Two replicas, two application contexts with their own
 * replica ids, share one database: the first runs two jobs and holds the rest queued, then dies
 * without a word; the second, started afterwards, finishes every job. Each job must end succeeded
 * exactly once, its result written once, with one attempt per run that started (two for the jobs
 * the dead replica was running). The second replica's workers take one request at a time, and so
 * does its admission queue, so claiming greedily — or before it is ready — would have cost attempts.
 *
 * <p>A trigger logs every change of a job's state, owner or result, so the test sees each claim,
 * hand-back and write, not only the end state.
 */
class JobDurabilityTest {

    static final int JOBS = 6;
    static final int RUNNING_ON_FIRST = 2;
    static final String FIRST = "durability-replica-1";
    static final String SECOND = "durability-replica-2";

    private final TestDatabases.Database db = TestDatabases.create();
    /**
     * One connection held for the whole test: other test runs on this server drop the databases
     * nobody is connected to, and between the two replicas only the test is.
     */
    private final SingleConnectionDataSource connection = new SingleConnectionDataSource(db.url(), db.username(),
            db.password(), true);
    private final JdbcTemplate jdbc = new JdbcTemplate(connection);

    @AfterEach
    void disconnect() {
        connection.destroy();
    }

    @Test
    void everyJobOfAKilledReplicaSucceedsOnceOnTheNext() throws Exception {
        ConfigurableApplicationContext first = replica(FIRST, Map.of("braid.jobs.max-running", RUNNING_ON_FIRST,
                // its drain must not wait for the workers: a killed replica waits for nothing
                "braid.ops.drain-timeout", "0s"));
        List<UUID> ids = new ArrayList<>();
        Set<UUID> wereRunning;
        Set<UUID> doneBefore;
        try {
            logTransitions();
            JsonMapper mapper = first.getBean(JsonMapper.class);
            JobService jobs = first.getBean(JobService.class);
            String request = mapper.writeValueAsString(Map.of("model", ServiceTest.MODEL,
                    "prompt", "Once upon a time", "max_tokens", 200, "temperature", 0, "strategy", "ar"));
            for (int i = 0; i < JOBS; i++) {
                ids.add(jobs.submit(ServiceTest.MODEL, request).id());
            }
            await(() -> runningOn(FIRST).size() == RUNNING_ON_FIRST);
            kill(first);
            wereRunning = runningOn(FIRST);
            // a slow moment of the host may let a first job end before the kill: then it ran there once
            doneBefore = new HashSet<>(jdbc.queryForList("SELECT id FROM jobs WHERE state = 'succeeded'", UUID.class));
        } finally {
            first.close();
        }
        assertThat(wereRunning).as("jobs running on the first replica when it died").hasSize(RUNNING_ON_FIRST);
        assertThat(count("SELECT COUNT(*) FROM jobs WHERE state = 'queued'")).as("jobs still queued then")
                .isEqualTo(JOBS - RUNNING_ON_FIRST - doneBefore.size()).isPositive();

        ConfigurableApplicationContext second = replica(SECOND, Map.of("braid.jobs.max-running", 8,
                "braid.engine.max-waiting-tasks", 1, "braid.admission.max-queued-requests", 1));
        try {
            await(() -> count("SELECT COUNT(*) FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled')") == JOBS);
        } finally {
            second.close();
        }

        Set<String> texts = new HashSet<>();
        for (UUID id : ids) {
            Map<String, Object> job = jdbc.queryForMap("SELECT state, attempts, result, error FROM jobs WHERE id = ?", id);
            List<String> claimedBy = wereRunning.contains(id) ? List.of(FIRST, SECOND)
                    : doneBefore.contains(id) ? List.of(FIRST) : List.of(SECOND);
            assertThat(job.get("state")).as("job %s: %s", id, job.get("error")).isEqualTo("succeeded");
            assertThat(job.get("attempts")).as("attempts of job %s", id).isEqualTo(claimedBy.size());
            assertThat(owners(id)).as("the replicas that claimed job %s", id).isEqualTo(claimedBy);
            assertThat(count("SELECT COUNT(*) FROM job_transitions WHERE id = ? AND new_state = 'succeeded'", id))
                    .as("job %s succeeded once", id).isEqualTo(1);
            assertThat(count("SELECT COUNT(*) FROM job_transitions WHERE id = ? AND result_written", id))
                    .as("job %s's result written once", id).isEqualTo(1);
            texts.add(answer(job.get("result").toString()));
        }
        assertThat(count("SELECT COUNT(*) FROM job_transitions WHERE new_state = 'queued'"))
                .as("no job handed back: the dead replica could not, the second had no need").isZero();
        assertThat(texts).as("greedy runs of one prompt, resumed or not, write one answer").hasSize(1);
    }

    /**
     * A replica of the service on the test database. The settings go in as command-line arguments,
     * which override application.yml as a deployment's would. The web server takes a free port;
     * readiness comes, as in production, only after the seed model has loaded.
     */
    private ConfigurableApplicationContext replica(String id, Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>();
        ServiceTest.properties((name, value) -> properties.put(name, value.get()), db);
        properties.put("braid.jobs.replica-id", id);
        properties.put("braid.jobs.lease", "2s");
        properties.put("server.port", 0);
        properties.putAll(extra);
        String[] args = properties.entrySet().stream().map(p -> "--" + p.getKey() + "=" + p.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(BraidApplication.class).run(args);
    }

    /**
     * What kill -9 looks like to the database: the replica's connections drop in the middle of its
     * work and it never writes again. Its pool is closed first, so from here it can neither renew a
     * lease nor write a result; the orderly close that follows (to free the test's threads and
     * ports) would drain and hand its jobs back, and finds no database to do it with.
     */
    private static void kill(ConfigurableApplicationContext replica) throws Exception {
        replica.getBean(DataSource.class).unwrap(HikariDataSource.class).close();
    }

    private void logTransitions() {
        jdbc.execute("""
                CREATE TABLE job_transitions (
                    seq BIGSERIAL PRIMARY KEY, id UUID, old_state TEXT, new_state TEXT, old_owner TEXT,
                    new_owner TEXT, attempts INT, result_written BOOLEAN)""");
        jdbc.execute("""
                CREATE FUNCTION log_job_transition() RETURNS trigger AS $$
                BEGIN
                    INSERT INTO job_transitions (id, old_state, new_state, old_owner, new_owner, attempts, result_written)
                    VALUES (NEW.id, OLD.state, NEW.state, OLD.lease_owner, NEW.lease_owner, NEW.attempts,
                            OLD.result IS DISTINCT FROM NEW.result);
                    RETURN NEW;
                END $$ LANGUAGE plpgsql""");
        jdbc.execute("""
                CREATE TRIGGER job_transitions AFTER UPDATE ON jobs FOR EACH ROW
                WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.lease_owner IS DISTINCT FROM NEW.lease_owner
                      OR OLD.result IS DISTINCT FROM NEW.result)
                EXECUTE FUNCTION log_job_transition()""");
    }

    private Set<UUID> runningOn(String owner) {
        return new HashSet<>(jdbc.queryForList("SELECT id FROM jobs WHERE state = 'running' AND lease_owner = ?",
                UUID.class, owner));
    }

    /** The replicas that claimed the job, in order. */
    private List<String> owners(UUID id) {
        return jdbc.queryForList("SELECT new_owner FROM job_transitions WHERE id = ? AND new_owner IS NOT NULL "
                + "AND new_owner IS DISTINCT FROM old_owner ORDER BY seq", String.class, id);
    }

    private long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }

    /** The first choice's text of a job's result. */
    private static String answer(String result) {
        return JsonMapper.builder().build().readTree(result).path("choices").get(0).path("text").asString();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(20);
        }
    }
}
