package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The batch a request's guesses are priced beside is the previous step's decoding: a prompt that step
 * prefilled is not carried again, so it must not make the next step look large and its guesses cheap.
 */
class StepPriceAfterPrefillTest {

    @Test
    void theStepAfterAPrefillIsPricedByItsDecodingTokens() throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             DeviceWorker worker = new DeviceWorker("w", model.transformer(), new WorkerSettings(1, 1024, 4, 16))) {
            int[] prompt = IntStream.range(0, 12).map(i -> 5 + i).toArray();
            List<Integer> pricedTokens = new ArrayList<>();
            ResultFuture done = new ResultFuture() {
                @Override
                public void onTokens(int sequence, int[] tokenIds) {
                    // on the worker's thread, before the step's own price replaces the last one
                    pricedTokens.add(worker.batch().tokens());
                }
            };
            worker.submit(new AutoregressiveStrategy().newTask(new GenerationRequest(prompt, SamplingParams.GREEDY,
                    new StopCriteria(Set.of(), List.of(), 6)), model.tokenizer(), done));
            assertThat(done.get(60, TimeUnit.SECONDS).completionTokens()).isEqualTo(6);
            // the first token is read from the prefill step; every later step is priced beside the one
            // before it, which decoded one token (the prefill's last prompt token included)
            assertThat(pricedTokens.subList(1, pricedTokens.size())).containsOnly(1).hasSize(5);
        }
    }
}
