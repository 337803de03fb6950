package dev.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundComparisonTest {

    @Test
    void eachRoundIsItsOwnRatioAndTheSignTestCountsTheRoundsFaster() {
        // ratios 0.9, 1.2, 1.1, 0.8, 1.5: two slower, three faster
        RoundComparison c = RoundComparison.of(List.of(90.0, 120.0, 110.0, 80.0, 150.0),
                List.of(100.0, 100.0, 100.0, 100.0, 100.0));
        assertThat(c.low()).isCloseTo(0.8, offset(1e-12));
        assertThat(c.median()).isCloseTo(1.1, offset(1e-12));
        assertThat(c.high()).isCloseTo(1.5, offset(1e-12));
        assertThat(c.faster()).isEqualTo(3);
        assertThat(c.decided()).isEqualTo(5);
        // P(at most 3 of 5) = (1 + 5 + 10 + 10) / 32
        assertThat(c.slowerP()).isCloseTo(26.0 / 32, offset(1e-12));

        Map<String, Object> row = new LinkedHashMap<>();
        c.putInto(row);
        assertThat(row).containsEntry("speedup_vs_ar_round_low", 0.8).containsEntry("speedup_vs_ar_round_median", 1.1)
                .containsEntry("speedup_vs_ar_round_high", 1.5).containsEntry("rounds_faster_than_ar", "3/5")
                .containsEntry("slower_than_ar_p", 0.813);
    }

    @Test
    void onlyARowSlowerInEveryOfEnoughRoundsIsShownSlower() {
        List<Double> ar = List.of(100.0, 100.0, 100.0, 100.0, 100.0, 100.0);
        // a little slower in each of six rounds: 1/64
        assertThat(RoundComparison.of(List.of(99.0, 98.0, 97.0, 99.5, 96.0, 99.0), ar).slowerP())
                .isCloseTo(1.0 / 64, offset(1e-12));
        // far slower in one round of two: the rounds cannot tell
        assertThat(RoundComparison.of(List.of(50.0, 101.0), List.of(100.0, 100.0)).slowerP()).isCloseTo(0.75, offset(1e-12));
        // an even count's median is the middle two's mean
        assertThat(RoundComparison.of(List.of(50.0, 101.0), List.of(100.0, 100.0)).median()).isCloseTo(0.755, offset(1e-12));
    }

    @Test
    void arAgainstItselfDecidesNoRound() {
        List<Double> ar = List.of(100.0, 120.0, 90.0);
        RoundComparison c = RoundComparison.of(ar, ar);
        assertThat(c.decided()).isZero();
        assertThat(c.slowerP()).isEqualTo(1.0);
        assertThat(c.median()).isEqualTo(1.0);
    }

    @Test
    void roundsMustPairUp() {
        assertThatThrownBy(() -> RoundComparison.of(List.of(1.0, 2.0), List.of(1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rounds differ: 2 against AR's 1");
    }
}
