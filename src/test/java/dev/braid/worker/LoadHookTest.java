package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.Lane;
import dev.braid.decoding.LaneTask;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.Sequence;
import dev.braid.decoding.StepPrice;
import dev.braid.decoding.StepRoom;
import dev.braid.decoding.StopCriteria;
import dev.braid.model.Tokenizer;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The worker tells every task, before it plans, the price of guesses: its measured step cost and
 * what the previous step carried and produced.
 */
class LoadHookTest {

    @Test
    void tasksArePricedByThePreviousStepAndTheMeasuredCost() throws Exception {
        ConcurrentLinkedQueue<StepPrice> seen = new ConcurrentLinkedQueue<>();
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             DeviceWorker worker = new DeviceWorker("load", model.transformer(), new WorkerSettings(16, 128, 8, 16))) {
            int[] prompt = ReferenceCase.load("llama-tiny").get(0).promptIds();
            List<ResultFuture> futures = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ResultFuture future = new ResultFuture();
                futures.add(future);
                GenerationRequest request = new GenerationRequest(prompt, SamplingParams.GREEDY,
                        new StopCriteria(Set.of(), List.of(), 20 + 10 * i));
                worker.submit(new RecordingTask(request, model.tokenizer(), future, seen));
            }
            for (ResultFuture future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
            // calibrated at start, then kept by real steps: one token up to the fixture's context
            assertThat(worker.stepCost().curve()).extracting(StepCostModel.Point::tokens).contains(1, 2, 4, 8, 16, 32);
            assertThat(worker.stepCost().millis(1)).isPositive();
            assertThat(worker.stepCost().millis(64)).isGreaterThanOrEqualTo(worker.stepCost().millis(1));
        }
        // five plain lanes decoding together: each step carried five tokens and added five
        assertThat(seen).anyMatch(price -> price.tokens() == 5 && price.accepted() == 5);
        // the longest runs its last steps alone
        assertThat(seen).anyMatch(price -> price.tokens() == 1 && price.accepted() == 1);
        assertThat(seen).allMatch(price -> price.cost() != null);
    }

    /** Plain greedy lanes that record the load they were planned under. */
    private static final class RecordingTask extends LaneTask {
        private final ConcurrentLinkedQueue<StepPrice> seen;

        RecordingTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener,
                      ConcurrentLinkedQueue<StepPrice> seen) {
            super(request, tokenizer, listener);
            this.seen = seen;
        }

        @Override
        public String strategy() {
            return "recording";
        }

        @Override
        protected Lane newLane(Sequence sequence, long seed) {
            return new Lane(sequence, kv, tokenizer, contextLength) {
                @Override
                public StepPlan plan(StepRoom room) {
                    seen.add(room.price());
                    return StepPlan.append(sequence.table(), sequence.pending());
                }

                @Override
                public int[] consume(StepOutput output, int plan) {
                    int pending = sequence.pending().length;
                    int[] accepted = acceptRun(new int[] {output.argmax(plan, 0)});
                    if (!sequence.finished()) {
                        output.commitPrefix(plan, pending);
                    }
                    return accepted;
                }
            };
        }
    }
}
