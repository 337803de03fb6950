package dev.braid.decoding.jacobi;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.GuessMemory;
import dev.braid.decoding.ProbeSchedule;
import dev.braid.decoding.ResultFuture;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.Speculation;
import dev.braid.decoding.StepCost;
import dev.braid.decoding.StepDriver;
import dev.braid.decoding.StepPrice;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyParams;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.model.StepPlan;
import dev.braid.training.ChatFormat;
import org.junit.jupiter.api.Test;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** What Jacobi lanes feed at a step's price: by how their guesses have fared, beside what the lanes before them bought. */
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
            runAt(new StepPrice(CPU, 1, 1), task, driver);
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

    /**
     * A linear curve on which a guess pays when it is accepted more often than about 0.7 of the time:
     * a lane whose refined guesses are right 0.95 of the time buys them, and one whose guesses are
     * right half as often does not.
     */
    private static final StepCost LINEAR = tokens -> 3.0 + 1.7 * Math.max(0, tokens - 1);

    @Test
    void aBlockAfterPlainStepsIsPricedByHowColdBlocksFare() throws Exception {
        // guesses refined by a guessing step have been right; the first block after plain steps never
        assertThat(guessedInFirstSteps(remembering(0.95, 0.0))).as("cold blocks never accepted").containsOnly(0);
        // the same refined guesses with cold blocks that fare as well: the lane guesses from the start
        assertThat(guessedInFirstSteps(remembering(0.95, 0.95)).get(0)).as("cold blocks accepted").isPositive();
    }

    /**
     * A worker with nothing remembered, on a curve where a guess must be right a quarter of the time
     * to pay: a random model's guesses miss, and its lane stops buying blocks within its first few
     * steps rather than learning that a tenth a step from an even chance. Its filler is drawn from
     * the text so far, and now and then one is right: a lane whose cold guess hit tries one-guess
     * cold blocks until their estimate falls below what they must gain (10 of these 40 draws, which
     * guess in 8 of their first 16 steps), the others stop after 4.
     */
    @Test
    void aFreshWorkersLaneWhoseGuessesMissSoonStopsGuessing() throws Exception {
        StepCost fifth = tokens -> 5.0 + 1.0 * Math.max(0, tokens - 1);
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu())) {
            for (long seed = 1; seed <= 40; seed++) {
                GuessMemory fresh = new GuessMemory();
                try (StepDriver driver = new StepDriver(model, 1, 1024)) {
                    DecodingTask task = startOnOneToken(model, driver, 1, 40, seed);
                    runAt(new StepPrice(fifth, 1, 1, fresh), task, driver);
                    // the first probe is due after 16 plain steps; the steps before it guess only while learning
                    List<Integer> guessed = driver.planned().stream().limit(16)
                            .map(plans -> plans.get(0).queryCount() - 1).toList();
                    Speculation speculation = task.result().speculation();
                    assertThat(guessed.stream().filter(g -> g > 0).count()).as("guessing steps in %s, %s", guessed, speculation)
                            .isLessThanOrEqualTo(speculation.acceptedTokens() == 0 ? 4 : 8);
                    assertThat(guessed.subList(12, 16)).as("the last steps before the probe, seed %d", seed).containsOnly(0);
                    assertThat(speculation.acceptedTokens()).as("a random model's guesses")
                            .isLessThan(speculation.draftTokens() / 4);
                }
            }
        }
    }

    /**
     * A worker whose earlier requests taught it that a first refined guess is rarely right (as
     * braid-cllm's explanations do) and whose probes, finding too little to win those back, have
     * grown its wait to the longest; then a list, whose guesses braid-cllm mostly gets right, on a
     * device where a guess costs a tenth of a step. The lane probes its own text within its first
     * plain steps, and its guesses win it back. Where it kept the worker's wait, it ran the whole
     * answer on plain steps.
     */
    @Test
    void aLaneProbesItsOwnTextSoonWhateverTheWorkersWait() throws Exception {
        GuessMemory memory = new GuessMemory();
        memory.remember(BlockAcceptance.MEMORY, new double[] {0.11, 0.65, 0.82, 0.52, 0.59, 0.72, 0.5, 0.5});
        double[] cold = new double[JacobiParams.DEFAULT.blockSize()];
        Arrays.fill(cold, 0.01);
        memory.remember(BlockAcceptance.COLD_MEMORY, cold);
        memory.keep(JacobiLane.PROBE_MEMORY, new double[] {256});
        StepCost tenth = tokens -> 2.2 + 0.22 * Math.max(0, tokens - 1);
        try (LoadedModel model = LoadedModel.load(BundledModels.folder("braid-cllm").orElseThrow(), Device.cpu());
             StepDriver driver = new StepDriver(model, 1, 1024)) {
            int[] prompt = model.tokenizer().encode(ChatFormat.prompt("List 5 ways to make database queries faster."));
            GenerationRequest request = new GenerationRequest(prompt, new SamplingParams(0, 0, 1, 1L),
                    new StopCriteria(Set.of(), List.of(), 128), 1, StrategyParams.DEFAULTS);
            DecodingTask task = new JacobiStrategy().newTask(request, model.tokenizer(), new ResultFuture());
            driver.start(task);
            runAt(new StepPrice(tenth, 1, 1, memory), task, driver);
            List<Integer> guessed = driver.planned().stream().skip(1)
                    .map(plans -> plans.get(0).queryCount() - 1).toList();
            int probe = guessed.indexOf(1);
            assertThat(probe).as("the first probe, in %s", guessed).isEqualTo(ProbeSchedule.FIRST - 1);
            List<Integer> after = guessed.subList(probe, guessed.size());
            assertThat(after.stream().filter(g -> g > 0).count()).as("guessing steps from the first probe on, %s", guessed)
                    .isGreaterThanOrEqualTo(after.size() / 2);
        }
    }

    /** Steps {@code task} to its end at {@code price}, the same every step, and releases it. */
    private static void runAt(StepPrice price, DecodingTask task, StepDriver driver) {
        while (!task.finished()) {
            task.observePrice(price);
            driver.step(task);
        }
        task.release();
    }

    /**
     * A greedy Jacobi request of {@code n} sequences and up to {@code maxTokens}, started on
     * {@code driver}. Its prompt is one token, so its prefill step is priced like the decode steps after it.
     */
    private static DecodingTask startOnOneToken(LoadedModel model, StepDriver driver, int n, int maxTokens)
            throws Exception {
        return startOnOneToken(model, driver, n, maxTokens, null);
    }

    /** {@link #startOnOneToken(LoadedModel, StepDriver, int, int)} whose guesses' filler is drawn from {@code seed}. */
    private static DecodingTask startOnOneToken(LoadedModel model, StepDriver driver, int n, int maxTokens, Long seed)
            throws Exception {
        int[] prompt = Arrays.copyOf(ReferenceCase.load("llama-tiny").get(0).promptIds(), 1);
        GenerationRequest request = new GenerationRequest(prompt, new SamplingParams(0, 0, 1, seed),
                new StopCriteria(Set.of(), List.of(), maxTokens), n, StrategyParams.DEFAULTS);
        DecodingTask task = new JacobiStrategy().newTask(request, model.tokenizer(), new ResultFuture());
        driver.start(task);
        return task;
    }

    private static GuessMemory remembering(double refined, double cold) {
        GuessMemory memory = new GuessMemory();
        double[] warmCurve = new double[JacobiParams.DEFAULT.blockSize()];
        double[] coldCurve = warmCurve.clone();
        Arrays.fill(warmCurve, refined);
        Arrays.fill(coldCurve, cold);
        memory.remember(BlockAcceptance.MEMORY, warmCurve);
        memory.remember(BlockAcceptance.COLD_MEMORY, coldCurve);
        return memory;
    }

    /** Guessed tokens in each of the steps before the first probe could be due, prefill first. */
    private static List<Integer> guessedInFirstSteps(GuessMemory memory) throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             StepDriver driver = new StepDriver(model, 1, 1024)) {
            DecodingTask task = startOnOneToken(model, driver, 1, 12);
            int steps = 0;
            while (!task.finished() && steps < 8) {
                task.observePrice(new StepPrice(LINEAR, 1, 1, memory));
                driver.step(task);
                steps++;
            }
            task.release();
            return driver.planned().stream().map(plans -> plans.get(0).queryCount() - 1).toList();
        }
    }

    /**
     * Flat to two tokens, then 0.6 ms a token up to ten, then 6 ms a token: one lane's block of
     * eight fits under the knee, a second lane's block beside it does not.
     */
    private static final StepCost KNEE = tokens -> tokens <= 2 ? 3.0
            : tokens <= 10 ? 3.0 + 0.6 * (tokens - 2) : 7.8 + 6.0 * (tokens - 10);

    @Test
    void theLanesOfOneRequestBuyGuessesInTurn() throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             StepDriver driver = new StepDriver(model, 1, 1024)) {
            DecodingTask task = startOnOneToken(model, driver, 2, 12);
            // guesses that are right 0.95 of the time, warm or cold, and a batch with nothing else in it
            task.observePrice(new StepPrice(KNEE, 0, 0, remembering(0.95, 0.95)));
            driver.step(task);
            task.release();
            List<Integer> fed = driver.planned().get(0).stream().map(StepPlan::queryCount).toList();
            // the first lane buys the block of eight that fits under the knee; the second, priced beside
            // it, stays plain. Priced from the same empty batch, both would have bought it: [9, 9]
            assertThat(fed).containsExactly(9, 1);
        }
    }

    @Test
    void aProbeLeavesTheBatchPricedAtTheGainItExpects() throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
             StepDriver driver = new StepDriver(model, 1, 1024)) {
            DecodingTask task = startOnOneToken(model, driver, 2, 40);
            // guesses that have never been right, on a curve where they would cost nothing: plain
            // steps, until a probe's bonus buys a block
            StepPrice price = new StepPrice(tokens -> 3.0, 0, 0, remembering(0.0, 0.0));
            List<StepPlan> probe = List.of();
            while (!task.finished() && probe.isEmpty()) {
                task.observePrice(price);
                driver.step(task);
                List<StepPlan> plans = driver.planned().getLast();
                if (plans.stream().anyMatch(plan -> plan.queryCount() > 1)) {
                    probe = plans;
                }
            }
            assertThat(driver.planned()).as("steps up to the probe").hasSize(17);
            assertThat(probe).as("both lanes probe with one guess").extracting(StepPlan::queryCount).containsExactly(2, 2);
            // what the lanes are expected to accept is their own token each: the bonus chose the
            // probe, but its guesses are expected to miss as all have
            assertThat(task.plannedIn(price, probe).accepted()).isEqualTo(2.0);
            task.release();
        }
    }
}
