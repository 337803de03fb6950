package dev.braid.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.braid.decoding.StepCost;
import org.junit.jupiter.api.Test;

/** The step-cost curve: one sequence's calibrated shape, shifted by what real steps cost beyond it. */
class StepCostModelTest {

    /** The curve this project's 2-core CPU measured for braid-base at one sequence. */
    private static StepCostModel calibrated() {
        StepCostModel model = new StepCostModel();
        int[] tokens = {1, 2, 4, 8, 16, 32, 64, 128};
        double[] ms = {5.35, 5.91, 6.33, 6.38, 7.31, 9.96, 14.43, 23.43};
        for (int i = 0; i < tokens.length; i++) {
            model.calibrate(tokens[i], ms[i]);
        }
        return model;
    }

    @Test
    void prefillChunksStopGrowingWhereABiggerStepNoLongerCostsLessPerToken() {
        assertThat(calibrated().chunkTokens()).as("128 still costs 19% less per token than 64").isEqualTo(128);
        StepCostModel flattening = new StepCostModel();
        int[] tokens = {1, 2, 4, 8, 16, 32, 64, 128};
        // a noisy 2-token point and a curve whose 128-token step saves 5% per token over 64
        double[] ms = {4.38, 10.69, 10.69, 10.69, 10.69, 10.69, 16.0, 30.4};
        for (int i = 0; i < tokens.length; i++) {
            flattening.calibrate(tokens[i], ms[i]);
        }
        assertThat(flattening.chunkTokens()).isEqualTo(64);
        assertThat(new StepCostModel().chunkTokens()).as("before calibration").isEqualTo(128);
    }

    @Test
    void theContextCostIsCalibratedNeverNegativeAndKeptByASnapshot() {
        StepCostModel model = calibrated();
        assertThat(model.contextMillis()).as("before its calibration").isZero();
        model.calibrateContext(0.00025);
        StepCost kept = StepCost.snapshot(model, 16);
        model.calibrateContext(-0.001); // noise can make the timed difference negative
        assertThat(model.contextMillis()).isZero();
        assertThat(kept.contextMillis()).isEqualTo(0.00025);
    }

    @Test
    void aStepOnTheOtherCopyOfTheWeightsPaysTheSwitchAndRealStepsAreFittedWithoutIt() {
        StepCostModel model = calibrated();
        // one-token steps multiply the weights as loaded, larger ones the packed copy
        boolean[] packedAt = {false, false, true, true};
        model.calibrateSwitch(packedAt, 0.5, 0.1);
        assertThat(model.switchMillis(1, 1)).isZero();
        assertThat(model.switchMillis(1, 4)).isEqualTo(0.5);
        assertThat(model.switchMillis(4, 1)).isEqualTo(0.1);
        assertThat(model.switchMillis(2, 300)).as("the last entry stands for larger steps").isZero();
        assertThat(model.switchMillis(0, 4)).as("no step before").isZero();
        // a decode that guesses every other step: real steps cost the curve, a millisecond more, and the switch
        for (int i = 0; i < 50; i++) {
            model.observe(1, 1, 5.35 + 1.0 + (i == 0 ? 0 : 0.1), true);
            model.observe(4, 1, 6.33 + 1.0 + 0.5, true);
        }
        assertThat(model.millis(1)).isEqualTo(6.35, within(1e-9));
        assertThat(model.millis(4)).isEqualTo(7.33, within(1e-9));
        assertThat(StepCost.snapshot(model, 8).switchMillis(1, 4)).isEqualTo(0.5);
        model.calibrateSwitch(packedAt, -0.2, 0.1); // noise can make the timed difference negative
        assertThat(model.switchMillis(1, 4)).isZero();
    }

    @Test
    void guessStepsThatCostMoreInTrafficThanCalibratedRaiseTheirOwnPointsAndNotThePlainStep() {
        StepCostModel model = calibrated();
        // plain steps cost the curve and a millisecond; one step in ten guesses three tokens and costs
        // 1.5 ms more than that again
        for (int i = 0; i < 600; i++) {
            model.observe(1, 1, 5.35 + 1.0, true);
            if (i % 10 == 9) {
                model.observe(4, 1, 6.33 + 1.0 + 1.5, true);
            }
        }
        assertThat(model.millis(1)).isEqualTo(6.35, within(0.02));
        assertThat(model.millis(4)).isEqualTo(8.83, within(0.05));
        assertThat(model.millis(3)).as("between the points, its share").isEqualTo((5.91 + 6.33 + 1.5) / 2 + 1.0, within(0.05));
        assertThat(model.millis(2)).as("a point no real step taught moves with the plain steps").isEqualTo(6.91, within(0.02));
        assertThat(model.millis(8)).as("the shape never falls").isEqualTo(model.millis(4), within(1e-9));
        assertThat(excessAt(model, 4)).isEqualTo(1.5, within(0.05));
        assertThat(excessAt(model, 1)).as("the steps run most keep none").isZero();

        // a guess step stretched tenfold by a pause moves its point's excess by a fortieth of its price
        double price = model.millis(4);
        double before = excessAt(model, 4);
        model.observe(1, 1, 5.35 + 1.0, true);
        model.observe(4, 1, 90.0, true);
        assertThat(excessAt(model, 4) - before).isEqualTo(price / 40, within(0.01));
    }

    @Test
    void onlyTheFirstStepsOfARunOfGuessesAreComparedWithThePlainStepsBeforeIt() {
        StepCostModel model = calibrated();
        for (int i = 0; i < 100; i++) {
            model.observe(1, 1, 5.35 + 1.0, true);
        }
        // a lane guesses step after step while the host slows down: four steps teach, then none
        for (int i = 0; i < 20; i++) {
            model.observe(8, 1, 6.38 + 1.0 + 3.0, true);
        }
        // each of the four a tenth of at most a quarter of its price (about 8 ms): far from the 3 ms drift
        assertThat(excessAt(model, 8)).isGreaterThan(0.0).isLessThan(4 * 0.1 * 0.25 * 8.5);
    }

    @Test
    void theFirstPlainStepAfterAGuessTeachesTheSwitchBackNotThePlainLevel() {
        StepCostModel model = calibrated();
        model.calibrateSwitch(new boolean[] {false, false, true, true}, 0.5, 0.1);
        // one in ten guesses three tokens at its price with the switch to the packed copy, and the
        // plain step after it pays 0.8 ms more than the calibrated switch back
        plainStepsAndEvery(model, 10, 4, 6.33 + 1.0 + 0.5, true, 0.1 + 0.8);
        assertThat(model.switchMillis(4, 1)).isEqualTo(0.9, within(0.05));
        assertThat(model.switchFromPackedMillis()).isEqualTo(model.switchMillis(4, 1));
        assertThat(model.switchMillis(1, 4)).as("the switch to the packed copy was priced right").isEqualTo(0.5, within(0.05));
        assertThat(model.millis(1)).isEqualTo(6.35, within(0.03));
        assertThat(excessAt(model, 4)).as("every guess switched: none taught its point").isZero();
    }

    @Test
    void theStepAfterAPrefillTeachesNeitherTheSwitchBackNorAnExcess() {
        StepCostModel model = calibrated();
        model.calibrateSwitch(new boolean[] {false, false, true, true}, 0.5, 0.1);
        // every 20th step prefills a prompt on the packed copy, and the plain step after it costs 1.4 ms
        // more than a plain one
        plainStepsAndEvery(model, 20, 16, 7.31 + 1.0 + 0.5, false, 1.4);
        assertThat(model.switchMillis(4, 1)).as("the calibrated switch back").isEqualTo(0.1, within(1e-9));
        assertThat(excessAt(model, 2)).isZero();
    }

    /**
     * 800 one-token steps at the curve and a millisecond; after every {@code period}-th a step of
     * {@code tokens} that takes {@code ms} ({@code decoding}, or a prefill), and the one-token step
     * after that takes {@code afterMs} more.
     */
    private static void plainStepsAndEvery(StepCostModel model, int period, int tokens, double ms, boolean decoding,
                                           double afterMs) {
        for (int i = 0; i < 800; i++) {
            boolean after = i > 0 && i % period == 0;
            model.observe(1, 1, 5.35 + 1.0 + (after ? afterMs : 0), true);
            if (i % period == period - 1) {
                model.observe(tokens, 1, ms, decoding);
            }
        }
    }

    private static double excessAt(StepCostModel model, int tokens) {
        return model.excess().stream().filter(p -> p.tokens() == tokens).findFirst().orElseThrow().millis();
    }

    @Test
    void batchAndPrefillStepsDoNotTeachExcessesAndStepsAtTheirPriceLeaveThemAtZero() {
        StepCostModel model = calibrated();
        for (int i = 0; i < 300; i++) {
            model.observe(1, 1, 5.35 + 0.4, true);
            model.observe(8, 8, 30.0, true); // eight sequences: their cost is the offset's and the group's
            model.observe(64, 1, 40.0, false); // a prompt, with its request's admission
            model.observe(16, 1, 7.31 + 0.4, true);
        }
        assertThat(excessAt(model, 8)).isZero();
        assertThat(excessAt(model, 64)).isZero();
        assertThat(excessAt(model, 16)).isEqualTo(0.0, within(0.01));
    }

    @Test
    void interpolatesAndExtrapolatesTheCalibratedShape() {
        StepCostModel model = calibrated();
        assertThat(model.millis(1)).isEqualTo(5.35, within(1e-9));
        assertThat(model.millis(48)).isEqualTo((9.96 + 14.43) / 2, within(1e-9));
        assertThat(model.millis(256)).isEqualTo(23.43 + (23.43 - 14.43) / 64 * 128, within(1e-9));
        assertThat(model.curve()).extracting(StepCostModel.Point::tokens)
                .containsExactly(1, 2, 4, 8, 16, 32, 64, 128);
    }

    @Test
    void aBatchThatCostsMoreRaisesTheStepButKeepsTheSlopeOfAToken() {
        StepCostModel model = calibrated();
        // 32 sequences of one token each: 21.65 ms where one sequence of 32 tokens took 9.96
        for (int i = 0; i < 200; i++) {
            model.observe(32, 1, 21.65, true);
        }
        assertThat(model.millis(32)).isEqualTo(21.65, within(0.01));
        // eight more tokens cost what the curve's slope says they do, not nothing
        double eightMore = model.millis(40) - model.millis(32);
        assertThat(eightMore).isEqualTo((14.43 - 9.96) / 32 * 8, within(1e-6));
    }

    @Test
    void stepsOfSeveralQueryLengthsTeachWhatAGroupCosts() {
        StepCostModel model = calibrated();
        model.calibrateGroup(0.7);
        // 32 sequences: plain steps of one group at 21.65 ms, and steps where some guess, of three
        // groups and 48 tokens, at 21.65 + the curve's 16 tokens + 2 × 2.5 ms
        double sixteenMore = (14.43 - 9.96) / 2;
        for (int i = 0; i < 300; i++) {
            model.observe(32, 1, 21.65, true);
            model.observe(48, 3, 21.65 + sixteenMore + 5.0, true);
        }
        assertThat(model.groupMillis()).isEqualTo(2.5, within(0.01));
        assertThat(model.millis(32)).isEqualTo(21.65, within(0.01));
    }

    @Test
    void aLaterFasterMeasurementLowersItsPointAndTheCurveStaysMonotone() {
        StepCostModel model = calibrated();
        model.refine(2, 9.0);
        assertThat(model.millis(2)).as("a slower measurement changes nothing").isEqualTo(5.91, within(1e-9));
        model.refine(2, 5.0);
        assertThat(model.millis(2)).as("no lower than the one-token step").isEqualTo(5.35, within(1e-9));
        model.refine(1, 4.0);
        assertThat(model.millis(1)).isEqualTo(4.0, within(1e-9));
        assertThat(model.millis(2)).isEqualTo(5.0, within(1e-9));
        StepCostModel uncalibrated = new StepCostModel();
        uncalibrated.refine(1, 1.0);
        assertThat(uncalibrated.curve()).as("only calibrated points are refined").isEmpty();
    }

    @Test
    void withoutCalibrationTheCostIsLearnedFlat() {
        StepCostModel model = new StepCostModel();
        assertThat(model.curve()).isEmpty();
        model.observe(1, 1, 4.0, true);
        model.observe(9, 1, 6.0, true);
        assertThat(model.millis(1)).isEqualTo(model.millis(64));
        assertThat(model.millis(1)).isBetween(4.0, 6.0);
        assertThat(model.curve()).extracting(StepCostModel.Point::tokens).containsExactly(1);
    }
}
