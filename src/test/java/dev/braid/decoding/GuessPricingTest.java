package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The guess budget a lane buys at a price: on a curve that is flat up to many tokens (a GPU at
 * small batches) any acceptance pays for the whole block; on a CPU-shaped curve only a lane whose
 * guesses are accepted often buys them, and less so the more other lanes share the step.
 */
class GuessPricingTest {

    private static final int[] BLOCKS = {0, 1, 2, 4, 8};

    private static int chosenBlock(StepPrice price, AcceptanceCurve acceptance) {
        return chosenBlock(price, acceptance, 0);
    }

    /** The block a lane with {@code context} tokens cached buys. */
    private static int chosenBlock(StepPrice price, AcceptanceCurve acceptance, int context) {
        double[] gain = new double[BLOCKS.length];
        for (int i = 0; i < BLOCKS.length; i++) {
            gain[i] = acceptance.expected(BLOCKS[i]);
        }
        return BLOCKS[price.best(1, 1, 1, context, BLOCKS, gain)];
    }

    private static AcceptanceCurve accepting(double rate, int steps) {
        AcceptanceCurve curve = new AcceptanceCurve(8);
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int s = 0; s < steps; s++) {
            int matched = 0;
            while (matched < 8 && random.nextDouble() < rate) {
                matched++;
            }
            curve.observe(8, matched);
        }
        return curve;
    }

    @Test
    void aFlatCurveBuysTheWholeBlockForAnyAcceptance() {
        StepPrice gpu = new StepPrice(tokens -> tokens <= 64 ? 10.0 : 10.0 + tokens / 64.0, 1, 1);
        assertThat(chosenBlock(gpu, accepting(0.1, 200))).isEqualTo(8);
        assertThat(chosenBlock(gpu, accepting(0.9, 200))).isEqualTo(8);
    }

    @Test
    void aCpuCurveBuysGuessesOnlyWhenTheyAreAccepted() {
        StepPrice cpu = new StepPrice(tokens -> 5.0 + 0.6 * tokens, 1, 1);
        assertThat(chosenBlock(cpu, accepting(0.05, 200))).isZero();
        assertThat(chosenBlock(cpu, accepting(0.9, 200))).isEqualTo(8);
    }

    @Test
    void aBreakEvenIsTheGainFromWhichTheBestOptionBuysTheGuesses() {
        // alone: the plain step is 3 ms for 1 token; a guess adds 1.5 ms, worth 0.5 tokens at that rate
        StepPrice price = new StepPrice(tokens -> 1.5 + 1.5 * tokens, 1, 1);
        double[] breakEven = price.breakEven(1, 1, 1, 0, new int[] {0, 1, 2});
        assertThat(breakEven).containsExactly(new double[] {0, 0.625, 1.25}, within(1e-9));
        int[] two = {0, 2};
        assertThat(price.best(1, 1, 1, 0, two, new double[] {0, 1.26})).isEqualTo(1);
        assertThat(price.best(1, 1, 1, 0, two, new double[] {0, 1.24})).isZero();
    }

    @Test
    void otherLanesInTheStepRaiseTheBar() {
        AcceptanceCurve middling = accepting(0.5, 200);
        StepCost cpu = tokens -> 5.0 + 0.5 * tokens;
        // alone, a block of even-chance guesses pays on this curve
        assertThat(chosenBlock(new StepPrice(cpu, 1, 1), middling)).isPositive();
        // beside 31 lanes whose tokens already fill the step, the same guesses slow every lane more
        // than they add
        assertThat(chosenBlock(new StepPrice(cpu, 32, 32), middling)).isZero();
    }

    /**
     * Step cost by total query tokens measured on an H200 (tools/gpu/step_cost_curve.py: a 1B Llama
     * shape in bfloat16, 32 sequences over a 512-token context) and on this project's 2-core CPU
     * (braid-base, one sequence): milliseconds at 1, 32, 64, 128, 256, 512, 1024 and 2048 tokens.
     */
    private static final int[] POINTS = {1, 32, 64, 128, 256, 512, 1024, 2048};
    private static final double[] H200_1B_BF16 = {8.23, 8.23, 8.39, 8.39, 8.17, 8.17, 8.44, 12.11};
    private static final double[] CPU_BRAID_BASE = {5.31, 9.75, 14.08, 24.77, 49.5, 99.0, 198.0, 396.0};

    private static StepCost measured(double[] millis) {
        return tokens -> {
            for (int i = 1; i < POINTS.length; i++) {
                if (tokens <= POINTS[i]) {
                    double at = (double) (tokens - POINTS[i - 1]) / (POINTS[i] - POINTS[i - 1]);
                    return millis[i - 1] + at * (millis[i] - millis[i - 1]);
                }
            }
            return millis[millis.length - 1];
        };
    }

    @Test
    void thirtyTwoLanesGuessFullyOnTheGpuCurveAndHardlyOnTheCpuCurve() {
        AcceptanceCurve middling = accepting(0.5, 200);
        // alone, the GPU buys the whole block of even-chance guesses, the CPU the half whose tokens
        // are still likely enough to pay for themselves
        assertThat(chosenBlock(new StepPrice(measured(H200_1B_BF16), 1, 1), middling)).isEqualTo(8);
        assertThat(chosenBlock(new StepPrice(measured(CPU_BRAID_BASE), 1, 1), middling)).isEqualTo(4);
        // one lane of 32 decoding sequences, each of which fed one token and accepted one last step: the
        // GPU's step is as cheap with 288 tokens as with 32, the CPU's marginal token pays only once
        assertThat(chosenBlock(new StepPrice(measured(H200_1B_BF16), 32, 32), middling)).isEqualTo(8);
        assertThat(chosenBlock(new StepPrice(measured(CPU_BRAID_BASE), 32, 32), middling)).isLessThanOrEqualTo(1);
    }

    @Test
    void aQueryLengthOfItsOwnIsPricedBesideOthersOnly() {
        AcceptanceCurve good = accepting(0.7, 200);
        StepCost flat = tokens -> 10.0;
        StepCost flatWithGroups = new StepCost() {
            @Override
            public double millis(int tokens) {
                return 10.0;
            }

            @Override
            public double groupMillis() {
                return 5.0;
            }
        };
        // alone there is no other query length to be apart from
        assertThat(chosenBlock(new StepPrice(flatWithGroups, 1, 1), good)).isEqualTo(8);
        // beside 7 sequences: free tokens still pay, but not a batch of its own
        assertThat(chosenBlock(new StepPrice(flat, 8, 8), good)).isEqualTo(8);
        assertThat(chosenBlock(new StepPrice(flatWithGroups, 8, 8), good)).isZero();
    }

    @Test
    void guessesThatOnlyJustPayByTheEstimatesStayPlain() {
        // beside 7 lanes a plain step makes 8 tokens in 7 ms; 8 guesses add 2 ms
        StepPrice price = new StepPrice(tokens -> 5.0 + 0.25 * tokens, 8, 8);
        int[] extra = {0, 8};
        // 2.6 expected tokens for 2 ms: 1.14 times as cheap as the batch's, within the estimates' error
        assertThat(price.best(1, 1, 1, 0, extra, new double[] {0, 2.6})).isZero();
        // 3.2: 1.4 times as cheap
        assertThat(price.best(1, 1, 1, 0, extra, new double[] {0, 3.2})).isEqualTo(1);
    }

    @Test
    void aGuessAfterPlainStepsPaysForTheOtherCopyOfTheWeightsAndOneInARunOfGuessesDoesNot() {
        // one-token steps read the weights as loaded, larger ones a packed copy, which the first step
        // after plain ones reads from memory
        StepCost cpu = new StepCost() {
            @Override
            public double millis(int tokens) {
                return 4.0 + 0.1 * tokens;
            }

            @Override
            public double switchMillis(int lastTokens, int tokens) {
                boolean before = lastTokens > 1;
                boolean now = tokens > 1;
                return before == now ? 0 : now ? 2.0 : 0.2;
            }
        };
        int[] extra = {0, 4};
        double[] gain = {0, 0.5};
        // alone, after a plain step: 0.5 expected tokens for 0.4 ms pay, for 2.4 ms they do not
        assertThat(new StepPrice(cpu::millis, 1, 1, GuessMemory.none(), 1).best(1, 1, 1, 0, extra, gain)).isEqualTo(1);
        assertThat(new StepPrice(cpu, 1, 1, GuessMemory.none(), 1).best(1, 1, 1, 0, extra, gain)).isZero();
        // after a guessing step the plain step is the one that switches
        assertThat(new StepPrice(cpu, 5, 1, GuessMemory.none(), 5).best(5, 1, 1, 0, extra, gain)).isEqualTo(1);
    }

    @Test
    void guessesDeepInALongContextCostMoreAndAreBoughtLess() {
        AcceptanceCurve good = accepting(0.7, 200);
        StepCost cpu = new StepCost() {
            @Override
            public double millis(int tokens) {
                return 2.0 + 0.2 * tokens;
            }

            @Override
            public double contextMillis() {
                return 0.0002; // 0.2 ms per query token per 1,000 context tokens
            }
        };
        StepPrice alone = new StepPrice(cpu, 1, 1);
        // early in a short answer a block of guesses pays
        int early = chosenBlock(alone, good, 20);
        assertThat(early).isGreaterThanOrEqualTo(4);
        // the same guesses over 10,000 tokens of context cost 2 ms more each and no longer pay
        assertThat(chosenBlock(alone, good, 10_000)).isZero();
        // with no measured context cost, context changes nothing
        StepPrice contextFree = new StepPrice(cpu::millis, 1, 1);
        assertThat(chosenBlock(contextFree, good, 10_000)).isEqualTo(early);
    }

    /**
     * braid-base's step by query tokens as its worker calibrated it on this project's CPU (README,
     * "Extra tokens in a step"): flat from 2 to 16 tokens, steep past them.
     */
    private static final StepCost CPU_CALIBRATED = tokens -> {
        int[] points = {1, 2, 16, 32, 64};
        double[] millis = {4.23, 6.03, 6.57, 10.99, 19.8};
        for (int i = 1; i < points.length; i++) {
            if (tokens <= points[i]) {
                return millis[i - 1] + (millis[i] - millis[i - 1]) * (tokens - points[i - 1]) / (points[i] - points[i - 1]);
            }
        }
        return millis[millis.length - 1] + 0.28 * (tokens - points[points.length - 1]);
    };

    /** Eight lanes that each fed one token and accepted one last step; returns the blocks they choose. */
    private static int[] eightLanesChoose(boolean inTurn, AcceptanceCurve acceptance) {
        StepPrice lastStep = new StepPrice(CPU_CALIBRATED, 8, 8);
        StepPrice price = lastStep;
        int[] blocks = new int[8];
        for (int lane = 0; lane < blocks.length; lane++) {
            blocks[lane] = chosenBlock(inTurn ? price : lastStep, acceptance);
            price = price.planned(1, 1, 1 + blocks[lane], 1 + acceptance.expected(blocks[lane]));
        }
        return blocks;
    }

    /** Expected accepted tokens per millisecond of the step the lanes make together. */
    private static double expectedRate(int[] blocks, AcceptanceCurve acceptance) {
        int tokens = 0;
        double accepted = 0;
        for (int block : blocks) {
            tokens += 1 + block;
            accepted += 1 + acceptance.expected(block);
        }
        return accepted / CPU_CALIBRATED.millis(tokens);
    }

    @Test
    void lanesDecidingInTurnStopBuyingWhereTheStepSteepens() {
        AcceptanceCurve middling = accepting(0.5, 200);
        double plain = expectedRate(new int[8], middling);
        // each lane deciding from the last step alone sees a step of 8 tokens grow cheaply, and all buy:
        // together they make it steep, and the batch is slower than plain steps
        int[] together = eightLanesChoose(false, middling);
        assertThat(together).doesNotContain(0);
        assertThat(expectedRate(together, middling)).isLessThan(plain);
        // in turn, each sees what the lanes before it bought: the first ones buy while the step is flat,
        // the rest stay plain, and the batch is faster than plain steps
        int[] inTurn = eightLanesChoose(true, middling);
        assertThat(inTurn[0]).isPositive();
        assertThat(inTurn[inTurn.length - 1]).isZero();
        assertThat(expectedRate(inTurn, middling)).isGreaterThan(plain);
    }

    @Test
    void aPlannedLaneReplacesItsLastStepInThePrice() {
        StepPrice price = new StepPrice(CPU_CALIBRATED, 8, 8).planned(1, 1, 9, 2.5);
        assertThat(price.tokens()).isEqualTo(16);
        assertThat(price.accepted()).isEqualTo(9.5);
        // a task that leaves the step (preempted, or fed a prefill chunk) takes its share with it
        assertThat(price.planned(9, 2.5, 0, 0).tokens()).isEqualTo(7);
    }

    @Test
    void acceptanceFollowsWhatTheGuessesDo() {
        AcceptanceCurve curve = new AcceptanceCurve(4);
        assertThat(curve.expected(4)).isEqualTo(0.5 + 0.25 + 0.125 + 0.0625);
        for (int i = 0; i < 100; i++) {
            curve.observe(4, 4);
        }
        assertThat(curve.expected(4)).isGreaterThan(3.9);
        for (int i = 0; i < 100; i++) {
            curve.observe(4, 0);
        }
        assertThat(curve.expected(4)).isLessThan(0.01);
        assertThat(curve.probability(1)).as("untried behind a rejected first guess: unchanged").isGreaterThan(0.9);
    }

    @Test
    void aPositionNeverTriedReadsAsTheOneBeforeIt() {
        AcceptanceCurve curve = new AcceptanceCurve(8);
        curve.observe(2, 2);
        // both fed guesses right: 0.75 each, and the six never fed read as the second
        assertThat(curve.probability(7)).isCloseTo(0.75, within(1e-9));
        assertThat(curve.expected(3)).isCloseTo(0.75 + 0.5625 + 0.421875, within(1e-9));
        // the third, tried at last and wrong, averages a miss with what it read, not with the prior
        curve.observe(8, 2);
        assertThat(curve.probability(2)).isCloseTo(0.375, within(1e-9));
        assertThat(curve.probability(5)).isCloseTo(0.375, within(1e-9));
        assertThat(curve.probability(1)).isCloseTo(1 - 0.25 * 2 / 3, within(1e-9));
    }

    @Test
    void aCurveFromThePriorCountsItAsOneObservationAndALearnedOneMovesByATenth() {
        AcceptanceCurve fresh = new AcceptanceCurve(4);
        GuessMemory memory = new GuessMemory();
        memory.remember("jacobi", AcceptanceCurve.prior(4));
        AcceptanceCurve learned = AcceptanceCurve.recall(memory, "jacobi", 4);
        for (int i = 0; i < 4; i++) {
            fresh.observe(4, 0);
            learned.observe(4, 0);
        }
        // 0.5 averaged with four misses, against four tenths of the way down
        assertThat(fresh.probability(0)).isCloseTo(0.1, within(1e-9));
        assertThat(learned.probability(0)).isCloseTo(0.5 * Math.pow(0.9, 4), within(1e-9));
        for (int i = 0; i < 20; i++) {
            fresh.observe(4, 0);
        }
        // the 5th to 8th observations weigh 1/6 to 1/9, from the 9th on a tenth each
        assertThat(fresh.probability(0)).isCloseTo(0.1 * 5 / 9 * Math.pow(0.9, 16), within(1e-9));
    }

    @Test
    void probesComeAfterPlainRunsAndBackOffUntilGuessesAreAccepted() {
        ProbeSchedule probes = new ProbeSchedule();
        int[] gaps = new int[4];
        for (int p = 0; p < gaps.length; p++) {
            int plain = 0;
            while (!probes.due()) {
                probes.planned(false, false);
                plain++;
            }
            gaps[p] = plain;
            probes.planned(true, true); // the probe did not win the lane back
        }
        assertThat(gaps).containsExactly(ProbeSchedule.FIRST, 2 * ProbeSchedule.FIRST, 4 * ProbeSchedule.FIRST,
                8 * ProbeSchedule.FIRST);
        probes.planned(true, false); // the price chose to guess: the wait stays
        int waited = 0;
        while (!probes.due()) {
            probes.planned(false, false);
            waited++;
        }
        assertThat(waited).isEqualTo(16 * ProbeSchedule.FIRST);
        probes.paid(); // guesses were accepted: back to the first interval
        int plain = 0;
        while (!probes.due()) {
            probes.planned(false, false);
            plain++;
        }
        assertThat(plain).isEqualTo(ProbeSchedule.FIRST);
    }

    @Test
    void aNewLaneStartsFromTheWaitTheLanesBeforeItReached() {
        GuessMemory memory = new GuessMemory();
        ProbeSchedule first = new ProbeSchedule(memory, "lookahead-probes");
        for (int p = 0; p < 4; p++) {
            plainStepsUntilDue(first);
            first.planned(true, true);
        }
        assertThat(plainStepsUntilDue(new ProbeSchedule(memory, "lookahead-probes")))
                .as("the first lane backed off to 16 intervals").isEqualTo(16 * ProbeSchedule.FIRST);
        assertThat(plainStepsUntilDue(new ProbeSchedule(memory, "jacobi-probes"))).isEqualTo(ProbeSchedule.FIRST);
        assertThat(plainStepsUntilDue(new ProbeSchedule(GuessMemory.none(), "lookahead-probes")))
                .isEqualTo(ProbeSchedule.FIRST);
        ProbeSchedule paying = new ProbeSchedule(memory, "lookahead-probes");
        paying.planned(true, false);
        paying.paid();
        assertThat(plainStepsUntilDue(new ProbeSchedule(memory, "lookahead-probes"))).isEqualTo(ProbeSchedule.FIRST);
    }

    @Test
    void aScheduleThatProbesItsOwnTextSoonMakesItsFirstProbeWithinItsLimitAndThenKeepsTheWait() {
        GuessMemory memory = new GuessMemory();
        memory.keep("jacobi-probes", new double[] {ProbeSchedule.LONGEST});
        ProbeSchedule own = new ProbeSchedule(memory, "jacobi-probes", ProbeSchedule.FIRST);
        assertThat(plainStepsUntilDue(own)).isEqualTo(ProbeSchedule.FIRST);
        own.planned(true, true); // the probe did not win the lane back
        assertThat(plainStepsUntilDue(own)).isEqualTo(ProbeSchedule.LONGEST);
        assertThat(plainStepsUntilDue(new ProbeSchedule(memory, "jacobi-probes"))).isEqualTo(ProbeSchedule.LONGEST);
    }

    @Test
    void requestsOfShortAnswersStopProbingOnceTheWaitOutgrowsThem() {
        GuessMemory memory = new GuessMemory();
        int[] probesPerRequest = new int[20];
        for (int request = 0; request < probesPerRequest.length; request++) {
            ProbeSchedule probes = new ProbeSchedule(memory, "jacobi-probes");
            for (int step = 0; step < 64; step++) {
                boolean probe = probes.due();
                probes.planned(probe, probe); // no probe wins the lane back
                probesPerRequest[request] += probe ? 1 : 0;
            }
        }
        // the first request probes after 16 and 32 more plain steps; the rest would wait 64, longer
        // than they run (starting from half the wait, each would probe once, 32 steps in)
        assertThat(probesPerRequest[0]).isEqualTo(2);
        assertThat(java.util.Arrays.stream(probesPerRequest, 1, 20).sum()).isZero();
    }

    private static int plainStepsUntilDue(ProbeSchedule probes) {
        int plain = 0;
        while (!probes.due()) {
            probes.planned(false, false);
            plain++;
        }
        return plain;
    }
}
