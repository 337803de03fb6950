package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A speculative request reports what its guesses did, in its {@code braid} field and in the
 * counters with vLLM's semantics, and the two agree; the counts add up with the tokens and steps.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class SpeculationReportTest extends ServiceTest {

    @Autowired
    WebTestClient client;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JsonMapper mapper;

    private double counter(String what, String strategy) {
        Counter counter = meters.find("braid.spec.decode.num." + what).tags("model", MODEL, "strategy", strategy)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jacobi", "lookahead"})
    void guessesAreCountedInTheResponseAndTheMeters(String strategy) {
        double drafts = counter("drafts", strategy);
        double draftTokens = counter("draft.tokens", strategy);
        double accepted = counter("accepted.tokens", strategy);
        JsonNode body = mapper.readTree(client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", MODEL, "prompt", "Once upon a time, once upon a time,", "max_tokens", 40,
                        "temperature", 0, "strategy", strategy))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
        JsonNode braid = body.path("braid");
        JsonNode speculation = braid.path("speculation");
        assertThat(speculation.isObject()).as("%s", braid).isTrue();
        long steps = braid.path("steps").asLong();
        long completion = body.path("usage").path("completion_tokens").asLong();
        long reportedDrafts = speculation.path("drafts").asLong();
        long reportedDraftTokens = speculation.path("draft_tokens").asLong();
        long reportedAccepted = speculation.path("accepted_tokens").asLong();
        assertThat(reportedDrafts).isBetween(0L, steps);
        assertThat(reportedAccepted).isBetween(0L, reportedDraftTokens);
        if (strategy.equals("jacobi")) {
            // each step adds the model's own token and the guesses it accepted; a last step cut by the
            // length budget inside the guesses adds no token of its own
            assertThat(completion - steps - reportedAccepted).isBetween(-1L, 0L);
        }
        if (reportedDrafts > 0) {
            assertThat(speculation.path("mean_acceptance_length").asDouble())
                    .isEqualTo(Math.round(1000.0 * (1 + (double) reportedAccepted / reportedDrafts)) / 1000.0);
        }
        assertThat(counter("drafts", strategy) - drafts).isEqualTo(reportedDrafts);
        assertThat(counter("draft.tokens", strategy) - draftTokens).isEqualTo(reportedDraftTokens);
        assertThat(counter("accepted.tokens", strategy) - accepted).isEqualTo(reportedAccepted);
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
                .value(text -> assertThat(text).contains("braid_spec_decode_num_drafts_total")
                        .contains("braid_spec_decode_num_draft_tokens_total")
                        .contains("braid_spec_decode_num_accepted_tokens_total"));
    }
}
