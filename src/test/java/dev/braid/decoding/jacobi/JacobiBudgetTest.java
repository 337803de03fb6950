package dev.braid.decoding.jacobi;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StepCost;
import dev.braid.decoding.StepDriver;
import dev.braid.decoding.StepPrice;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyParams;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.model.StepPlan;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Set;

/** What a Jacobi lane feeds when its guesses miss on a curve where every guessed token costs compute. */
class JacobiBudgetTest {

    /** A CPU-shaped curve: a second token costs a sixth of a step, a third and more double it. */
    private static final StepCost CPU = tokens -> tokens <= 1 ? 3.0 : tokens == 2 ? 3.5 : 6.0;

    @Test
    void probesAndTheStepsAfterThemFeedOnlyWhatThePriceBuys() throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             StepDriver driver = new StepDriver(model, 1, 1024)) {
            ReferenceCase reference = ReferenceCase.load("llama-tiny").get(0);
            GenerationRequest request = new GenerationRequest(reference.promptIds(), SamplingParams.GREEDY,
                    new StopCriteria(Set.of(), List.of(), 200), 1, StrategyParams.DEFAULTS);
            DecodingTask task = new JacobiStrategy().newTask(request, model.tokenizer(), new ResultFuture());
            driver.start(task);
            while (!task.finished()) {
                task.observePrice(new StepPrice(CPU, 1, 1));
                driver.step(task);
            }
            task.release();
            GenerationResult result = task.result();

            // a random model's guesses miss: the lane settles on plain steps with probes among them
            assertThat(result.speculation().acceptedTokens()).isLessThan(result.speculation().draftTokens() / 4);
            List<Integer> decodeSteps = driver.planned().stream().skip(1)
                    .map(plans -> plans.stream().mapToInt(StepPlan::queryCount).sum()).toList();
            assertThat(decodeSteps.subList(decodeSteps.size() / 2, decodeSteps.size()))
                    .as("plain steps and probes once acceptance is known").contains(1, 2);
            // on this curve a block beyond one guess never pays for guesses that miss, not even the
            // step that follows a probe to measure its refinements
            assertThat(decodeSteps).allSatisfy(tokens -> assertThat(tokens).isLessThanOrEqualTo(2));
        }
    }
}
