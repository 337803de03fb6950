package dev.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.decoding.StepCost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --auto} decides each question from the other questions' answers only, credits the pick
 * with that question's measured answers, and scores it against the per-question best.
 */
class BenchAutoTest {

    private static final BenchTarget AR = new BenchTarget("ar", null, null, null);
    private static final BenchTarget JACOBI = new BenchTarget("jacobi", null, null, null);

    /** Two questions where Jacobi doubles AR's speed, one where it takes 2.5 times as long. */
    private static List<BenchAuto.Run> runs(String prompts, StepCost cost) {
        List<BenchAuto.Run> runs = new ArrayList<>();
        for (String question : List.of("Tell me about caching.", "Tell me about queues.")) {
            runs.add(run(prompts, cost, AR, question, 100, 100, 1.0));
            runs.add(run(prompts, cost, JACOBI, question, 40, 400, 0.5));
        }
        runs.add(run(prompts, cost, AR, "Tell me about logs.", 100, 100, 1.0));
        runs.add(run(prompts, cost, JACOBI, "Tell me about logs.", 100, 800, 2.5));
        return runs;
    }

    private static BenchAuto.Run run(String prompts, StepCost cost, BenchTarget target, String question, long steps,
                                     long queryTokens, double seconds) {
        return new BenchAuto.Run(prompts, new BenchLoad.Answered(target, 1, question, 20, 100, steps, queryTokens,
                (long) (seconds * 1e9)), cost);
    }

    @Test
    void eachQuestionIsDecidedFromTheOthersAndScoredAgainstItsBest() {
        StepCost flat = tokens -> 10.0;
        Map<String, Object> row = BenchAuto.rows(runs("general", flat), List.of("ar", "jacobi")).get(0);
        // leaving "logs" out, Jacobi made 2.5 tokens a step at one step's price: it is picked there too,
        // and credited with its 2.5 s
        assertThat(row).containsEntry("questions", 3)
                .containsEntry("auto_picks", "jacobi 3")
                .containsEntry("oracle_picks", "jacobi 2, ar 1")
                .containsEntry("auto_tokens_per_second", 85.71)
                .containsEntry("oracle_tokens_per_second", 150.0)
                .containsEntry("auto_vs_oracle", 0.57)
                .containsEntry("best_fixed", "ar")
                .containsEntry("auto_vs_ar", 0.86);
    }

    @Test
    void aStepThatChargesForQueryTokensTurnsThePicks() {
        // 5 ms and 0.5 ms a query token: with "logs" in its history Jacobi makes 1.43 tokens a step of
        // 8.6 query tokens (9.3 ms), slower than AR's one in 5.5 ms; without it 2.5 of 10 (10 ms) is faster
        StepCost sloped = tokens -> 5.0 + 0.5 * tokens;
        Map<String, Object> row = BenchAuto.rows(runs("general", sloped), List.of("ar", "jacobi")).get(0);
        assertThat(row).containsEntry("auto_picks", "ar 2, jacobi 1")
                .containsEntry("auto_tokens_per_second", 66.67);
    }

    @Test
    void eachLevelIsPricedByTheStepCostItLeft() {
        // the same answers in two prompt sets whose levels left the worker's cost flat and sloped
        List<BenchAuto.Run> runs = new ArrayList<>(runs("general", tokens -> 10.0));
        runs.addAll(runs("list", tokens -> 5.0 + 0.5 * tokens));
        List<Map<String, Object>> rows = BenchAuto.rows(runs, List.of("ar", "jacobi"));
        assertThat(rows).extracting(r -> r.get("prompts")).containsExactly("general", "list");
        assertThat(rows.get(0)).containsEntry("auto_picks", "jacobi 3");
        assertThat(rows.get(1)).containsEntry("auto_picks", "ar 2, jacobi 1");
    }

    @Test
    void aSnapshotKeepsThePriceOfItsMomentAndExtendsItsLastSlope() {
        double[] offset = {0};
        StepCost live = tokens -> 2.0 + 0.5 * tokens + offset[0];
        StepCost kept = StepCost.snapshot(live, 8);
        offset[0] = 100;
        assertThat(kept.millis(1)).isEqualTo(2.5);
        assertThat(kept.millis(8)).isEqualTo(6.0);
        assertThat(kept.millis(12)).isEqualTo(8.0);
        assertThat(live.millis(1)).isEqualTo(102.5);
    }
}
