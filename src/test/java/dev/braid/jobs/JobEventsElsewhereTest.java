package dev.braid.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.BraidApplication;
import dev.braid.support.ServiceTest;
import dev.braid.support.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client following a job's events on the replica it submitted to, while another replica runs the
 * job: the stream must end with the job's result, not wait for events this replica never sees.
 */
class JobEventsElsewhereTest {

    @Test
    void theSubmittingReplicasStreamEndsWhenAnotherReplicaFinishesTheJob() throws Exception {
        TestDatabases.Database db = TestDatabases.create();
        Map<String, Object> properties = new LinkedHashMap<>();
        ServiceTest.properties((name, value) -> properties.put(name, value.get()), db);
        properties.put("braid.jobs.replica-id", "submitter");
        properties.put("braid.jobs.max-running", 0); // it runs nothing: every job is another replica's
        properties.put("server.port", 0);
        String[] args = properties.entrySet().stream().map(p -> "--" + p.getKey() + "=" + p.getValue())
                .toArray(String[]::new);
        try (ConfigurableApplicationContext replica = new SpringApplicationBuilder(BraidApplication.class).run(args)) {
            JobService jobs = replica.getBean(JobService.class);
            JsonMapper mapper = replica.getBean(JsonMapper.class);
            String request = mapper.writeValueAsString(Map.of("model", ServiceTest.MODEL, "prompt", "Once",
                    "max_tokens", 4, "temperature", 0));
            UUID id = jobs.submit(ServiceTest.MODEL, request).id();

            List<JobEvent> seen = new ArrayList<>();
            var following = jobs.events(id).doOnNext(seen::add).collectList().toFuture();
            Thread.sleep(700);
            assertThat(following).as("the job has not ended yet").isNotDone();

            // what the replica that ran it writes when it succeeds
            JobRepository repository = replica.getBean(JobRepository.class);
            replica.getBean(TransactionTemplate.class).executeWithoutResult(status -> {
                Job job = repository.findById(id).orElseThrow();
                job.finish(JobState.SUCCEEDED, "{\"text\":\"elsewhere\"}", null);
                repository.save(job);
            });

            List<JobEvent> events = following.get(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(events).extracting(JobEvent::name).containsExactly("queued", "finished");
            assertThat(events.get(1).data()).containsEntry("state", "succeeded");
            assertThat(events.get(1).data().get("result").toString()).contains("elsewhere");
            // a later follower gets the end at once, from the database
            assertThat(jobs.events(id).collectList().block(Duration.ofSeconds(5)))
                    .extracting(JobEvent::name).containsExactly("finished");
        }
    }
}
