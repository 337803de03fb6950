package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sequence decoded in a busy batch must come out exactly as it does alone: 16 sequences of
 * different lengths, some forked from a shared prompt, some sampled, half joining mid-way.
 */
class BatchIndependenceTest {

    private static LoadedModel model;
    private final DecodingStrategy ar = new AutoregressiveStrategy();

    @BeforeAll
    static void load() {
        model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** 12 requests, 16 sequences: the n = 2 requests fork after their prompt. */
    private static List<GenerationRequest> requests() {
        List<ReferenceCase> cases = ReferenceCase.load("llama-tiny");
        Set<Integer> eos = Set.copyOf(model.generation().eosTokenIds());
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int[] prompt = cases.get(i % cases.size()).promptIds();
            if (i >= cases.size()) {
                prompt = Arrays.copyOf(prompt, Math.max(1, prompt.length - 1 - i % 3));
            }
            SamplingParams sampling = i % 4 == 3 ? new SamplingParams(0.9, 40, 0.95, 1000L + i) : SamplingParams.GREEDY;
            int n = i % 3 == 2 ? 2 : 1;
            requests.add(new GenerationRequest(prompt, sampling, new StopCriteria(eos, List.of(), 20 + 4 * i), n));
        }
        return requests;
    }

    @Test
    void sequencesInAMixedBatchMatchTheirSoloRuns() throws Exception {
        List<GenerationRequest> requests = requests();
        assertThat(requests.stream().mapToInt(GenerationRequest::n).sum()).isEqualTo(16);
        List<GenerationResult> alone = new ArrayList<>();
        try (DeviceWorker worker = new DeviceWorker("solo", model.transformer(), new WorkerSettings(4, 512, 1, 64))) {
            for (GenerationRequest request : requests) {
                ResultFuture future = new ResultFuture();
                worker.submit(ar.newTask(request, model.tokenizer(), future));
                alone.add(future.get(60, TimeUnit.SECONDS));
                waitIdle(worker);
                assertThat(worker.stats().usedBlocks()).isZero();
            }
        }

        WorkerStats bigPool = runBatched(requests, alone, 4, 512);
        assertThat(bigPool.preemptions()).isZero();
        WorkerStats smallPool = runBatched(requests, alone, 4, 40);
        assertThat(smallPool.preemptions()).as("a small pool forces preemption and recompute").isPositive();
        WorkerStats smallPoolOfPositions = runBatched(requests, alone, 1, 160);
        assertThat(smallPoolOfPositions.preemptions()).as("the same small pool in one-position blocks").isPositive();
    }

    private WorkerStats runBatched(List<GenerationRequest> requests, List<GenerationResult> alone, int blockSize,
                                   int blocks) throws Exception {
        try (DeviceWorker worker = new DeviceWorker("batch", model.transformer(),
                new WorkerSettings(blockSize, blocks, 32, 64))) {
            List<ResultFuture> futures = new ArrayList<>();
            CountDownLatch firstTokens = new CountDownLatch(5);
            for (int i = 0; i < requests.size(); i++) {
                if (i == requests.size() / 2) {
                    assertThat(firstTokens.await(60, TimeUnit.SECONDS)).isTrue();
                }
                ResultFuture future = i == 0 ? new CountingFuture(firstTokens) : new ResultFuture();
                futures.add(future);
                worker.submit(ar.newTask(requests.get(i), model.tokenizer(), future));
            }
            for (int i = 0; i < requests.size(); i++) {
                GenerationResult batched = futures.get(i).get(120, TimeUnit.SECONDS);
                for (int s = 0; s < requests.get(i).n(); s++) {
                    assertThat(batched.completions().get(s).tokenIds())
                            .as("request %d sequence %d with %d blocks of %d", i, s, blocks, blockSize)
                            .containsExactly(alone.get(i).completions().get(s).tokenIds());
                }
            }
            waitIdle(worker);
            assertThat(worker.stats().usedBlocks()).isZero();
            return worker.stats();
        }
    }

    private static void waitIdle(DeviceWorker worker) throws InterruptedException {
        for (int i = 0; i < 100 && (worker.stats().runningTasks() > 0 || worker.stats().usedBlocks() > 0); i++) {
            Thread.sleep(20);
        }
    }

    /** Counts down once per emitted token, so later requests join while the first is mid-decode. */
    private static final class CountingFuture extends ResultFuture {
        private final CountDownLatch latch;

        CountingFuture(CountDownLatch latch) {
            this.latch = latch;
        }

        @Override
        public void onTokens(int sequence, int[] tokenIds) {
            latch.countDown();
        }
    }
}
